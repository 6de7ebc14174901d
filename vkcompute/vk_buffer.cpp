#include "vkcompute/vk_buffer.h"

namespace qs::vk {

void Buffer::release() {
    if (!m_ctx) {
        return;
    }
    if (m_mapped) {
        vkUnmapMemory(m_ctx->device, m_memory);
    }
    vkDestroyBuffer(m_ctx->device, m_buffer, nullptr);
    vkFreeMemory(m_ctx->device, m_memory, nullptr);
    m_ctx = nullptr;
    m_buffer = VK_NULL_HANDLE;
    m_memory = VK_NULL_HANDLE;
    m_mapped = nullptr;
    m_size = 0;
}

core::Status Buffer::ensure(Context& ctx, BufferKind kind, std::uint64_t bytes) {
    if (m_ctx && m_kind == kind && m_size >= bytes) {
        return {};
    }
    release();
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = bytes;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkMemoryPropertyFlags required = 0;
    VkMemoryPropertyFlags preferred = 0;
    // Kernels read their inputs through uniform texel buffer views (kernel_table.h).
    switch (kind) {
    case BufferKind::Device:
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                     VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
        required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        break;
    case BufferKind::Shared:
        info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
        required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    case BufferKind::Upload:
        info.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        break;
    case BufferKind::Download:
        info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }
    if (VkResult r = vkCreateBuffer(ctx.device, &info, nullptr, &m_buffer); r != VK_SUCCESS) {
        return vkError(r, "vkCreateBuffer (" + std::to_string(bytes) + " bytes)");
    }
    m_ctx = &ctx;
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(ctx.device, m_buffer, &req);
    const auto type = ctx.findMemoryType(req.memoryTypeBits, required, preferred);
    if (!type) {
        return core::makeError(core::ErrorCode::Device,
                               "Vulkan: no suitable memory type for a buffer");
    }
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = *type;
    if (VkResult r = vkAllocateMemory(ctx.device, &alloc, nullptr, &m_memory); r != VK_SUCCESS) {
        return vkError(r, "vkAllocateMemory (" + std::to_string(req.size) + " bytes)");
    }
    if (VkResult r = vkBindBufferMemory(ctx.device, m_buffer, m_memory, 0); r != VK_SUCCESS) {
        return vkError(r, "vkBindBufferMemory");
    }
    if (kind != BufferKind::Device) {
        if (VkResult r = vkMapMemory(ctx.device, m_memory, 0, VK_WHOLE_SIZE, 0, &m_mapped);
            r != VK_SUCCESS) {
            return vkError(r, "vkMapMemory");
        }
    }
    m_kind = kind;
    m_size = bytes;
    return {};
}

} // namespace qs::vk
