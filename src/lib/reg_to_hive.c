/* reg_to_hive.c - placeholder until its owner lands it. */
typedef int mp_placeholder_reg_to_hive;
