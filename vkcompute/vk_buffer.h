#pragma once

#include "core/error.h"
#include "vkcompute/vk_context.h"

#include <cstdint>

// Internal: a VkBuffer with its own memory allocation. Grow-only reuse (ensure()) keeps
// repeated calls on tensors of similar size from allocating every time.
namespace qs::vk {

enum class BufferKind {
    Device,   // storage, transfer source and destination; device-local
    Shared,   // storage in device-local memory the host maps (unified-memory devices)
    Upload,   // host-visible staging for host -> device copies
    Download, // host-visible, preferably cached, staging for device -> host copies
};

class Buffer {
public:
    Buffer() = default;
    ~Buffer() { release(); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    // Makes sure the buffer holds at least `bytes` of the given kind; reallocates only when
    // it is smaller or of another kind. Contents are not preserved.
    core::Status ensure(Context& ctx, BufferKind kind, std::uint64_t bytes);
    void release();

    VkBuffer handle() const { return m_buffer; }
    std::uint64_t size() const { return m_size; }
    void* mapped() const { return m_mapped; } // null for Device buffers

private:
    Context* m_ctx = nullptr;
    VkBuffer m_buffer = VK_NULL_HANDLE;
    VkDeviceMemory m_memory = VK_NULL_HANDLE;
    std::uint64_t m_size = 0;
    BufferKind m_kind = BufferKind::Device;
    void* m_mapped = nullptr;
};

} // namespace qs::vk
