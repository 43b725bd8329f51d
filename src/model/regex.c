#include "model/compat.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "model/alloc.h"
#include "model/regex.h"

struct cp_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

struct cp_regex *cp_regex_compile(const char *pattern, struct cp_err *err)
{
	struct cp_regex *re;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code;

	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &errcode,
			     &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		cp_errf(err, "%s at offset %zu", (const char *)msg, (size_t)erroff);
		return NULL;
	}
	/*
	 * JIT code reads ahead of the subject, which valgrind's memcheck reports
	 * as use of uninitialised bytes; under valgrind (its preload library)
	 * the interpreter matches instead.  Elsewhere the JIT is best effort.
	 */
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "vgpreload"))
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	return re;
}

bool cp_regex_match(const struct cp_regex *re, const char *s, size_t len)
{
	return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, NULL) >= 0;
}

bool cp_regex_group(const struct cp_regex *re, const char *s, size_t len, int group, size_t *start,
		    size_t *end)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, NULL);
	PCRE2_SIZE *ov;

	if (rc < 0)
		return false;
	ov = pcre2_get_ovector_pointer(re->md);
	*start = *end = 0;
	if (group < rc && ov[2 * group] != PCRE2_UNSET) {
		*start = ov[2 * group];
		*end = ov[2 * group + 1];
	}
	return true;
}

void cp_regex_free(struct cp_regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}
