/* reg_parse.c - placeholder until its owner lands it. */
typedef int mp_placeholder_reg_parse;
