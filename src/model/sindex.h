/*
 * sindex.h - the stack index: a profile's samples merged root first into a
 * prefix tree of locations, for front ends that run many reports over one
 * profile (the TUI, the web UI).
 *
 * A large profile has far fewer distinct stack prefixes than frames (a
 * 300k-sample CPU profile: 13M frames, about 1.4M prefixes), so a walk of
 * the tree with per-path counters computes what a walk of every sample's
 * stack computes, several times faster.  Views built over an indexed
 * profile defer their per-sample filtering (view.h, "lazy" views) and
 * graph_build walks the tree instead of the samples.
 *
 * Nodes are numbered in preorder: node 0 is the root (no location), node
 * i's subtree is [i, end[i]), and parent[i] < i.  The samples whose stack
 * ends at node i are sample[soff[i] .. soff[i + 1]), in profile order;
 * leaf[s] is the node profile sample s ends at.  The index is immutable and
 * owned by whoever built it (usually the profile: profile_index()).
 */
#ifndef CPROF_SINDEX_H
#define CPROF_SINDEX_H

#include "model/compat.h"
#include "model/profile.h"

struct cp_sindex {
	size_t n; /* nodes, root included */
	uint32_t *loc;	  /* location index; CP_NONE for the root */
	uint32_t *parent; /* CP_NONE for the root */
	uint32_t *end;
	uint32_t *soff; /* n + 1 entries */
	uint32_t *sample;
	uint32_t *leaf; /* per profile sample */
	/*
	 * Per node i and sample type t, at [i * nsample_types + t]: the sum of
	 * the values of the samples ending at i, of their magnitudes, and how
	 * many of those values are not zero and how many negative.
	 */
	size_t nvt;
	int64_t *self, *self_abs;
	uint32_t *self_nz, *self_neg;
};

struct cp_sindex *sindex_build(const struct cp_profile *p);
/* An upper bound of the bytes sindex_build(p) takes, its scratch included. */
size_t sindex_max_bytes(const struct cp_profile *p);
void sindex_free(struct cp_sindex *ix);

/*
 * Build p's index unless it has one; the profile owns it from then on.
 * The index is optional: when its upper bound (a node per frame; real
 * profiles share most prefixes and take several times less) does not fit
 * in what the memory budget has left, p gets none and reports walk the
 * samples.  Returns whether p has an index.
 */
bool profile_build_index(struct cp_profile *p);

#endif
