#!/usr/bin/env bash
# Installs everything Quantscope needs to build, test and run, from Debian 12 packages only.
# Run as root (or with sudo available). Safe to run again.
#   --fuzz  also installs clang and its libFuzzer/sanitizer runtimes (the QS_FUZZ build).
set -euo pipefail

fuzz=false
for arg in "$@"; do
  case "$arg" in
    --fuzz) fuzz=true ;;
    *) echo "install-deps: unknown option '$arg' (only --fuzz)" >&2; exit 2 ;;
  esac
done

packages=(
  cmake ninja-build g++ pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqcustomplot-dev
  libvulkan-dev mesa-vulkan-drivers glslc glslang-tools spirv-tools vulkan-tools
  nlohmann-json3-dev libspdlog-dev
  xvfb xauth fonts-dejavu-core libxkbcommon-dev
  dpkg-dev file
  lintian appstream desktop-file-utils
)
if $fuzz; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
