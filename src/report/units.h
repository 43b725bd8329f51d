/*
 * units.h - values, units and percentages as pprof prints them.
 *
 * Units are resolved by name (case-insensitive, aliases, a trailing "s"
 * dropped from names longer than two bytes) into three families: bytes
 * (B..PB, powers of 1024), time (ns..hrs) and GCU.  Unknown units print
 * bare numbers.  All functions write into caller buffers.
 */
#ifndef CPROF_UNITS_H
#define CPROF_UNITS_H

#include "model/compat.h"

/*
 * Convert 'value' in 'from' units to 'to' ("minimum"/"auto" pick the
 * largest unit the value reaches; a unit name converts to it).  Returns the
 * scaled value; *unit is set to the unit printed ("" when none).
 */
double units_scale(int64_t value, const char *from, const char *to, const char **unit);

/* pprof's ScaledLabel: "%.2f" minus ".00", then the unit; "0" for zero. */
void units_label(char *out, size_t size, int64_t value, const char *from, const char *to);

/* pprof's Percentage: "  100%", "%5.2f%%" or "%5.2g%%" of |value/total|. */
void units_percent(char *out, size_t size, int64_t value, int64_t total);

/* Same, without padding (for headers). */
void units_percent_trim(char *out, size_t size, int64_t value, int64_t total);

/* True if 'name' is a unit cprof knows (for validating -unit). */
bool units_known(const char *name);

#endif
