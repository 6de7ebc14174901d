# Export (core/export): reliability of the writers under cancel, a full disk, and input
# checksums (tests/core/export/tst_reliability.cpp; also built under ThreadSanitizer in CI).
qs_add_test(tst_reliability SOURCES export/tst_reliability.cpp LIBS qs_core)
