#include "model/compat.h"
#include "model/err.h"

int cp_errf(struct cp_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void cp_err_prefix(struct cp_err *err, const char *prefix)
{
	char tmp[sizeof(err->msg)];

	if (!err)
		return;
	snprintf(tmp, sizeof(tmp), "%s: %s", prefix, err->msg);
	memcpy(err->msg, tmp, sizeof(tmp));
}
