# Threads (core/jobs): the parallel loop pool.
qs_add_test(tst_parallel_pool SOURCES jobs/tst_parallel_pool.cpp LIBS qs_core)
