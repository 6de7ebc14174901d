# The Debian package: `cpack -G DEB` in a build folder configured with
# -DCMAKE_INSTALL_PREFIX=/usr (the default prefix for packages below). Checked by lintian in CI.
set(CPACK_PACKAGE_NAME quantscope)
set(CPACK_PACKAGE_VENDOR "Quantscope")
set(CPACK_PACKAGE_CONTACT "Quantscope developers <dev@quantscope.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "workbench for quantizing large language models")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Stripped binaries and 0755 directories whatever the builder's umask (lintian errors else).
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # quantscope_<version>-1_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://quantscope.invalid")
# CPack puts the summary above this and indents every line; an empty line becomes " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Quantscope opens a language model (GGUF, Hugging Face safetensors or llama2.c),
plans a storage format per tensor or applies a llama-quantize preset, quantizes
it to llama.cpp's GGUF formats and measures the cost: perplexity, KL divergence
and tokens per second. Kernels run on Vulkan devices with a CPU fallback.

This package holds the Qt desktop application (quantscope), the command-line
tool (quantscope-cli) and two small sample models.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Shlibdeps sees only linked libraries; the Vulkan driver is loaded at run time.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "mesa-vulkan-drivers | vulkan-icd")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

include(CPack)
