/* edit.c - placeholder until its owner lands it. */
typedef int mp_placeholder_edit;
