/* regf_patch.c - placeholder until its owner lands it. */
typedef int mp_placeholder_regf_patch;
