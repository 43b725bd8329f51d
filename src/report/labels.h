/*
 * labels.h - sample labels as pprof's reports see them.
 *
 * A sample's labels grouped by key in first-seen order (string labels:
 * str != 0; numeric: num != 0 or a unit), and the unit of each numeric key
 * (pprof's NumLabelUnits: the first unit seen for the key; else "bytes" for
 * "request"/"alignment", else the key itself).  Keys hidden by tagshow /
 * taghide are skipped.
 */
#ifndef CPROF_LABELS_H
#define CPROF_LABELS_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/profile.h"

struct label_units {
	uint32_t *keys; /* string ids */
	const char **units;
	size_t n;
};

/* Infer units over all samples of p; conflicting units append warnings to warn. */
void label_units_init(struct label_units *lu, const struct cp_profile *p, struct buf *warn);
void label_units_release(struct label_units *lu);
const char *label_unit(const struct label_units *lu, const struct cp_profile *p, uint32_t key);

/* One key of one sample with its values. */
struct label_group {
	uint32_t key;
	bool numeric;
	uint32_t first, count; /* indices into the sample's labels, of this key and kind */
};

/*
 * Group sample s's labels (up to max groups); hidden[key] != 0 skips a key
 * (hidden may be NULL).  Returns the number of groups.
 */
size_t label_groups(const struct cp_profile *p, const struct cp_sample *s,
		    const unsigned char *hidden, struct label_group *out, size_t max);

/* Is label l (of sample s) a member of group g? */
bool label_in_group(const struct cp_profile *p, const struct cp_label *l,
		    const struct label_group *g);

#endif
