/*
 * fuzz_legacy.c - libFuzzer target for the legacy pprof formats (gperftools CPU and heap, Go count, thread, contention, Java) and their /proc/maps tail,
 * called directly so the proto reader does not eat the mutations.
 */
#include "model/compat.h"
#include "model/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cp_err err = { "" };
	struct cp_profile *p = NULL;

	if (legacy_parse(data, size, &p, &err) == 0)
		profile_free(p);
	return 0;
}
