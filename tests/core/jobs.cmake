# Threads (core/jobs): the pool under every parallel loop, and parallelFor on top of it.
qs_add_test(tst_parallel_pool SOURCES jobs/tst_parallel_pool.cpp LIBS qs_core)
qs_add_test(tst_parallel_for SOURCES jobs/tst_parallel_for.cpp LIBS qs_core)
