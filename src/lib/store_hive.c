/* store_hive.c - placeholder until its owner lands it. */
typedef int mp_placeholder_store_hive;
