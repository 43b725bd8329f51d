#include "model/compat.h"
#include <assert.h>
#include <pthread.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/regex.h"
#include "report/names.h"

static struct cp_regex *anon_re, *gover_re, *short_re[3];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static struct cp_regex *must_compile(const char *pattern)
{
	struct cp_err err;
	struct cp_regex *re = cp_regex_compile(pattern, &err);

	assert(re);
	return re;
}

static void names_init(void)
{
	anon_re = must_compile("^\\(anonymous namespace\\)::");
	gover_re = must_compile("^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$");
	/* Go, Java, C++: the first that matches gives the short name (group 1) */
	short_re[0] = must_compile("^(?:[\\w\\-\\.]+\\/)+(.+)");
	short_re[1] = must_compile("^(?:[a-z]\\w*\\.)*([A-Z][\\w\\$]*\\.(?:<init>|[a-z][\\w\\$]*"
				   "(?:\\$\\d+)?))(?:(?:\\()|$)");
	short_re[2] = must_compile("^(?:[_a-zA-Z]\\w*::)+(_*[A-Z]\\w*::~?[_a-zA-Z]\\w*(?:<.*>)?)");
}

char *names_shorten(const char *name)
{
	struct buf b = BUF_INIT;
	size_t s, e, s2, e2;

	pthread_once(&names_once, names_init);
	buf_init(&b);
	if (cp_regex_group(anon_re, name, strlen(name), 0, &s, &e))
		name += e;
	if (cp_regex_group(gover_re, name, strlen(name), 1, &s, &e) &&
	    cp_regex_group(gover_re, name, strlen(name), 2, &s2, &e2)) {
		buf_add(&b, name + s, e - s);
		buf_add(&b, name + s2, e2 - s2);
	} else {
		buf_adds(&b, name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(short_re); i++) {
		if (cp_regex_group(short_re[i], b.buf, b.len, 1, &s, &e)) {
			char *r = xstrndup(b.buf + s, e - s);

			buf_release(&b);
			return r;
		}
	}
	return buf_detach(&b, NULL);
}
