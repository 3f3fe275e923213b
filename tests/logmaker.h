/* logmaker.h - test-only: makes a dirty hive with a transaction log from a
 * clean hive and a changed copy of it (placeholder, being written). */
#ifndef MP_TEST_LOGMAKER_H
#define MP_TEST_LOGMAKER_H
#endif
