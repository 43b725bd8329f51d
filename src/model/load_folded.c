#include "model/compat.h"
#include "model/formats.h"

int folded_parse(const unsigned char *data, size_t len, struct cp_profile **out, struct cp_err *err)
{
	(void)data;
	(void)len;
	(void)out;
	(void)err;
	return 1;
}
