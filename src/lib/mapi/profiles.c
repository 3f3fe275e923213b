/* profiles.c - an open file's profiles, sections and properties as the
 * public API hands them out (mapiprof_profile_*, mapiprof_section_*,
 * mapiprof_select, mapiprof_prop_find): lookups over what locate.c found,
 * decoding a section's values on first use. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/nearest.h"
#include "mapi/locate.h"
#include "mapi/profiles.h"
#include "mapi/propspec.h"
#include "mapi/section.h"

/* ---- profiles ---------------------------------------------------------- */

size_t
mapiprof_profile_count(const struct mapiprof_file *file)
{
	return file->nprofiles;
}

const struct mapiprof_profile *
mapiprof_profile_at(const struct mapiprof_file *file, size_t i)
{
	return i < file->nprofiles ? &file->profiles[i].pub : NULL;
}

/* 1 when name is an item of the ", "-separated list. */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len;
		p += strspn(p, ", ");
	}
	return 0;
}

void
mp_profile_names(const struct mapiprof_file *file,
                 int (*keep)(const struct mapiprof_profile *, const void *), const void *arg,
                 struct mp_nearest *near, char *list, size_t size)
{
	size_t used = strlen(list);
	for (size_t i = 0; i < file->nprofiles; i++) {
		const char *pn = file->profiles[i].pub.name;
		if (keep != NULL && !keep(&file->profiles[i].pub, arg))
			continue;
		mp_nearest_offer(near, pn);
		if (listed(list, pn) || used + 1 >= size || strstr(list, "...") != NULL)
			continue; /* the same name in another root or file, or no room left */
		const char *sep = used > 0 ? ", " : "";
		if (used + strlen(sep) + strlen(pn) + 5 >= size) {
			snprintf(list + used, size - used, "%s...", sep);
			used = strlen(list);
			continue;
		}
		used += (size_t)snprintf(list + used, size - used, "%s%s", sep, pn);
	}
}

int
mapiprof_profile_find(struct mapiprof_file *file, const char *name, size_t *index)
{
	if (file->nprofiles == 0) {
		mp_seterr(file->ctx, MAPIPROF_E_NOPROFILES, "no MAPI profile in the file");
		mp_seterr_file(file->ctx, file->name);
		return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < file->nprofiles; i++) {
		const struct mapiprof_profile *p = &file->profiles[i].pub;
		if (name != NULL ? mp_name_casecmp(name, p->name) == 0 : p->is_default) {
			*index = i;
			return MAPIPROF_OK;
		}
	}
	char list[MP_PROFILE_LIST_MAX] = "";
	struct mp_nearest nearest;
	mp_nearest_init(&nearest, name);
	mp_profile_names(file, NULL, NULL, &nearest, list, sizeof(list));
	char hint[MP_DID_YOU_MEAN_MAX];
	if (name != NULL)
		mp_seterr(file->ctx, MAPIPROF_E_NOPROFILE, "no profile named '%s' (profiles: %s)%s",
		          name, list,
		          mp_did_you_mean(mp_nearest_best(&nearest), hint, sizeof(hint)));
	else
		mp_seterr(
		    file->ctx, MAPIPROF_E_NOPROFILE,
		    "no default profile (no DefaultProfile value names a profile; profiles: %s)",
		    list);
	mp_seterr_file(file->ctx, file->name);
	return MAPIPROF_FAILED;
}

/* ---- sections ---------------------------------------------------------- */

size_t
mapiprof_section_count(const struct mapiprof_file *file, size_t profile)
{
	return profile < file->nprofiles ? file->profiles[profile].sections.n : 0;
}

const struct mapiprof_section *
mapiprof_section_at(const struct mapiprof_file *file, size_t profile, size_t section)
{
	if (profile >= file->nprofiles || section >= file->profiles[profile].sections.n)
		return NULL;
	return &file->profiles[profile].sections.v[section].pub;
}

/* Checks a (profile, section) pair; section SIZE_MAX checks the profile only. */
static int
check_index(struct mapiprof_file *file, size_t profile, size_t section)
{
	if (profile < file->nprofiles &&
	    (section == SIZE_MAX || section < file->profiles[profile].sections.n))
		return MAPIPROF_OK;
	mp_seterr(file->ctx, MAPIPROF_E_INVALID, "no profile %zu / section %zu", profile, section);
	mp_seterr_file(file->ctx, NULL);
	return MAPIPROF_FAILED;
}

int
mapiprof_select(struct mapiprof_file *file, size_t profile, const char *selector, size_t **indices,
                size_t *n)
{
	*indices = NULL;
	*n = 0;
	if (check_index(file, profile, SIZE_MAX) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_section_select(file->ctx, &file->profiles[profile].sections, selector, indices, n) !=
	    MAPIPROF_OK) {
		/* A bad selector is a usage error, not about the file. */
		mp_seterr_file(file->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mapiprof_selector_valid(const char *selector)
{
	return mp_section_selector_valid(selector);
}

int
mapiprof_selector_check(struct mapiprof_ctx *ctx, const char *selector)
{
	return mp_section_selector_check(ctx, selector);
}

/* ---- properties -------------------------------------------------------- */

int
mapiprof_section_props(struct mapiprof_file *file, size_t profile, size_t section,
                       const struct mapiprof_prop **props, size_t *n)
{
	*props = NULL;
	*n = 0;
	if (check_index(file, profile, section) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_section_set *set = &file->profiles[profile].sections;
	if (mp_section_decode(file->store, &file->arena, file->ctx->codepage, set, section) !=
	    MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->name);
		return MAPIPROF_FAILED;
	}
	*props = set->v[section].props;
	*n = set->v[section].nprops;
	return MAPIPROF_OK;
}

int
mapiprof_prop_find(struct mapiprof_file *file, size_t profile, size_t section, const char *spec,
                   const struct mapiprof_prop **out)
{
	const struct mapiprof_prop *props = NULL;
	size_t n = 0;
	*out = NULL;
	if (spec == NULL) {
		mp_seterr(file->ctx, MAPIPROF_E_INVALID, "mapiprof_prop_find: no property");
		return MAPIPROF_FAILED;
	}
	if (mapiprof_section_props(file, profile, section, &props, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t tag = 0;
	int by_tag = mp_propspec_tag(spec, &tag);
	for (size_t i = 0; i < n; i++) {
		const struct mapiprof_prop *p = &props[i];
		if (by_tag ? p->is_tag && p->tag == tag
		           : !p->is_tag && mp_name_casecmp(p->value_name, spec) == 0) {
			*out = p;
			return MAPIPROF_OK;
		}
	}
	const struct mp_profile *pr = &file->profiles[profile];
	mp_seterr(file->ctx, MAPIPROF_E_NOPROP, "no property %s in section %s of profile '%s'",
	          spec, pr->sections.v[section].pub.uid, pr->pub.name);
	mp_seterr_file(file->ctx, file->name);
	return MAPIPROF_FAILED;
}

int
mapiprof_office_version_valid(const char *v)
{
	unsigned long major, minor;
	return v != NULL && mp_office_version_parse(v, &major, &minor);
}
