/*
 * fuzz_proto.c - libFuzzer target for the whole loader: gzip layer,
 * profile.proto and, when those fail, every other format in turn.
 */
#include "model/compat.h"
#include "model/err.h"
#include "model/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_err err = { "" };

	profile_free(profile_parse(data, size, &err));
	return 0;
}
