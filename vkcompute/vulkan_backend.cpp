#include "vkcompute/vulkan_backend.h"

#include "core/logging.h"
#include "vkcompute/chunk_plan.h"
#include "vkcompute/code_books.h"
#include "vkcompute/kernel_table.h"
#include "vkcompute/packed_chunk_plan.h"
#include "vkcompute/shaders/kernel_params.h"
#include "vkcompute/vk_buffer.h"
#include "vkcompute/vk_context.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <spdlog/spdlog.h>
#include <vector>

namespace qs::vk {
namespace {

// Buffers get this much zeroed room past their data, rounded to 16 bytes: bindings include a
// tail and whole 16-byte texels (see chunk_plan.h).
constexpr std::uint64_t kBufferTail = kBindingTailBytes;

std::uint64_t roundUp(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}

// One vkCmdDispatch: its bindings (buffer ranges, in binding order), push constants (params,
// or packed for the packed kernels) and grid.
struct Dispatch {
    VkDescriptorBufferInfo bindings[6]{};
    shader::KernelParams params{};
    shader::PackedParams packed{};
    Grid grid;
};

std::uint64_t texelBytes(VkFormat format) {
    return format == VK_FORMAT_R32_UINT ? 4 : 16;
}

void memoryBarrier(VkCommandBuffer cmd, VkPipelineStageFlags srcStage, VkAccessFlags srcAccess,
                   VkPipelineStageFlags dstStage, VkAccessFlags dstAccess) {
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = srcAccess;
    barrier.dstAccessMask = dstAccess;
    vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

} // namespace

struct VulkanBackend::Impl {
    VulkanBackendOptions options;
    std::unique_ptr<Context> ctx;
    std::unique_ptr<KernelTable> kernels;
    DeviceInfo info;
    ChunkLimits limits;
    std::uint32_t maxGroupsPerDim = 65535;
    std::mutex mutex; // one command buffer and one set of scratch buffers: one call at a time
    Buffer src, dst, x, upload, download;
    // The i-quant code books (code_books.h), uploaded once at creation.
    std::unique_ptr<CodeBooks> codeBookLayout;
    Buffer codeBooks;
    double lastKernelSeconds = 0.0;

    std::uint64_t timeoutNs() const { return options.fenceTimeoutMs * 1'000'000ull; }

    // Makes `target` hold `bytes` of host data, zero-padded to `allocBytes`, where kernels
    // can read it: mapped directly on unified memory, else through a staging copy.
    core::Status stageIn(Buffer& target, const void* data, std::uint64_t bytes,
                         std::uint64_t allocBytes) {
        return stageInWith(target, allocBytes, [&](std::uint8_t* mapped) {
            std::memcpy(mapped, data, bytes);
            std::memset(mapped + bytes, 0, allocBytes - bytes);
        });
    }

    // As stageIn, with `fill` writing all allocBytes of the mapped memory.
    core::Status stageInWith(Buffer& target, std::uint64_t allocBytes,
                             const std::function<void(std::uint8_t*)>& fill) {
        Buffer& host = ctx->unifiedMemory ? target : upload;
        if (core::Status s = host.ensure(
                *ctx, ctx->unifiedMemory ? BufferKind::Shared : BufferKind::Upload, allocBytes);
            !s) {
            return s;
        }
        fill(static_cast<std::uint8_t*>(host.mapped()));
        if (ctx->unifiedMemory) {
            return {};
        }
        if (core::Status s = target.ensure(*ctx, BufferKind::Device, allocBytes); !s) {
            return s;
        }
        if (core::Status s = ctx->begin(); !s) {
            return s;
        }
        const VkBufferCopy region{0, 0, allocBytes};
        vkCmdCopyBuffer(ctx->commandBuffer, upload.handle(), target.handle(), 1, &region);
        return ctx->submitAndWait(timeoutNs());
    }

    core::Status prepareOut(Buffer& target, std::uint64_t allocBytes) {
        return target.ensure(*ctx, ctx->unifiedMemory ? BufferKind::Shared : BufferKind::Device,
                             allocBytes);
    }

    core::Status stageOut(Buffer& from, void* out, std::uint64_t bytes) {
        if (ctx->unifiedMemory) {
            std::memcpy(out, from.mapped(), bytes);
            return {};
        }
        if (core::Status s = download.ensure(*ctx, BufferKind::Download, bytes); !s) {
            return s;
        }
        if (core::Status s = ctx->begin(); !s) {
            return s;
        }
        const VkBufferCopy region{0, 0, bytes};
        vkCmdCopyBuffer(ctx->commandBuffer, from.handle(), download.handle(), 1, &region);
        memoryBarrier(ctx->commandBuffer, VK_PIPELINE_STAGE_TRANSFER_BIT,
                      VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                      VK_ACCESS_HOST_READ_BIT);
        if (core::Status s = ctx->submitAndWait(timeoutNs()); !s) {
            return s;
        }
        std::memcpy(out, download.mapped(), bytes);
        return {};
    }

    // Records all dispatches of one kernel in one command buffer, runs it `repeats` times and
    // keeps the fastest run's time in lastKernelSeconds.
    core::Status run(Kernel kernel, core::GgmlType type, const std::vector<Dispatch>& dispatches,
                     int repeats) {
        return run(kernel, kernels->pipeline(kernel, type), dispatches, repeats);
    }

    core::Status run(Kernel kernel, const core::Result<VkPipeline>& pipeline,
                     const std::vector<Dispatch>& dispatches, int repeats) {
        if (!pipeline) {
            return pipeline.error();
        }
        const std::uint32_t nBindings = KernelTable::bindingCount(kernel);
        const auto nSets = static_cast<std::uint32_t>(dispatches.size());
        std::uint32_t nTexel = 0;
        for (std::uint32_t b = 0; b < nBindings; ++b) {
            nTexel +=
                KernelTable::descriptorType(kernel, b) == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                    ? 1
                    : 0;
        }
        const VkDescriptorPoolSize poolSizes[2] = {
            {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nSets * (nBindings - nTexel)},
            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, nSets * nTexel}};
        VkDescriptorPoolCreateInfo poolInfo{};
        poolInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
        poolInfo.maxSets = nSets;
        poolInfo.poolSizeCount = 2;
        poolInfo.pPoolSizes = poolSizes;
        VkDescriptorPool pool = VK_NULL_HANDLE;
        if (VkResult r = vkCreateDescriptorPool(ctx->device, &poolInfo, nullptr, &pool);
            r != VK_SUCCESS) {
            return vkError(r, "vkCreateDescriptorPool");
        }
        // The pool (and its sets) and the texel buffer views must outlive the submissions below.
        std::vector<VkBufferView> views(std::size_t(nSets) * nBindings, VK_NULL_HANDLE);
        struct PoolGuard {
            VkDevice device;
            VkDescriptorPool pool;
            std::vector<VkBufferView>& views;
            ~PoolGuard() {
                vkDestroyDescriptorPool(device, pool, nullptr);
                for (VkBufferView v : views) {
                    if (v) {
                        vkDestroyBufferView(device, v, nullptr);
                    }
                }
            }
        } guard{ctx->device, pool, views};
        for (std::uint32_t i = 0; i < nSets; ++i) {
            for (std::uint32_t b = 0; b < nBindings; ++b) {
                const VkFormat format = KernelTable::bindingFormat(kernel, b);
                if (format == VK_FORMAT_UNDEFINED) {
                    continue;
                }
                const VkDescriptorBufferInfo& range = dispatches[i].bindings[b];
                VkBufferViewCreateInfo viewInfo{};
                viewInfo.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO;
                viewInfo.buffer = range.buffer;
                viewInfo.format = format;
                viewInfo.offset = range.offset;
                // Input bindings are whole 16-byte texels (chunk_plan.h; x: 128-byte groups).
                viewInfo.range = range.range / texelBytes(format) * texelBytes(format);
                if (VkResult r = vkCreateBufferView(ctx->device, &viewInfo, nullptr,
                                                    &views[std::size_t(i) * nBindings + b]);
                    r != VK_SUCCESS) {
                    return vkError(r, "vkCreateBufferView");
                }
            }
        }

        std::vector<VkDescriptorSetLayout> layouts(nSets, kernels->setLayout(kernel));
        std::vector<VkDescriptorSet> sets(nSets);
        VkDescriptorSetAllocateInfo allocInfo{};
        allocInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
        allocInfo.descriptorPool = pool;
        allocInfo.descriptorSetCount = nSets;
        allocInfo.pSetLayouts = layouts.data();
        if (VkResult r = vkAllocateDescriptorSets(ctx->device, &allocInfo, sets.data());
            r != VK_SUCCESS) {
            return vkError(r, "vkAllocateDescriptorSets");
        }
        std::vector<VkWriteDescriptorSet> writes;
        writes.reserve(nSets * nBindings);
        for (std::uint32_t i = 0; i < nSets; ++i) {
            for (std::uint32_t b = 0; b < nBindings; ++b) {
                VkWriteDescriptorSet w{};
                w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
                w.dstSet = sets[i];
                w.dstBinding = b;
                w.descriptorCount = 1;
                w.descriptorType = KernelTable::descriptorType(kernel, b);
                if (w.descriptorType == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER) {
                    w.pTexelBufferView = &views[std::size_t(i) * nBindings + b];
                } else {
                    w.pBufferInfo = &dispatches[i].bindings[b];
                }
                writes.push_back(w);
            }
        }
        vkUpdateDescriptorSets(ctx->device, static_cast<std::uint32_t>(writes.size()),
                               writes.data(), 0, nullptr);

        if (core::Status s = ctx->begin(); !s) {
            return s;
        }
        VkCommandBuffer cmd = ctx->commandBuffer;
        // Earlier copies or host writes must be visible to the shaders.
        memoryBarrier(cmd,
                      VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT |
                          VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                      VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT |
                          VK_ACCESS_SHADER_WRITE_BIT,
                      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        if (ctx->timestampPool) {
            vkCmdResetQueryPool(cmd, ctx->timestampPool, 0, 2);
            vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, ctx->timestampPool, 0);
        }
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, *pipeline);
        for (std::uint32_t i = 0; i < nSets; ++i) {
            // Chunks write disjoint outputs: no barrier between their dispatches.
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, kernels->layout(kernel), 0,
                                    1, &sets[i], 0, nullptr);
            if (isPackedKernel(kernel)) {
                vkCmdPushConstants(cmd, kernels->layout(kernel), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                   sizeof(shader::PackedParams), &dispatches[i].packed);
            } else {
                vkCmdPushConstants(cmd, kernels->layout(kernel), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                   sizeof(shader::KernelParams), &dispatches[i].params);
            }
            vkCmdDispatch(cmd, dispatches[i].grid.x, dispatches[i].grid.y, 1);
        }
        if (ctx->timestampPool) {
            vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, ctx->timestampPool, 1);
        }
        memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                      VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                      VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT);
        if (core::Status s = ctx->end(); !s) {
            return s;
        }
        double best = std::numeric_limits<double>::infinity();
        for (int r = 0; r < std::max(1, repeats); ++r) {
            const auto start = std::chrono::steady_clock::now();
            if (core::Status s = ctx->submit(timeoutNs()); !s) {
                return s;
            }
            double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::uint64_t stamps[2] = {};
            if (ctx->timestampPool &&
                vkGetQueryPoolResults(ctx->device, ctx->timestampPool, 0, 2, sizeof(stamps), stamps,
                                      sizeof(std::uint64_t),
                                      VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) ==
                    VK_SUCCESS &&
                stamps[1] > stamps[0]) {
                seconds =
                    static_cast<double>(stamps[1] - stamps[0]) * ctx->timestampPeriodNs * 1e-9;
            }
            best = std::min(best, seconds);
        }
        lastKernelSeconds = best;
        return {};
    }

    core::Status checkInput(const core::WeightMatrix& w, core::RowRange rows) const {
        if (core::Status s = core::validateWeights(w, rows); !s) {
            return s;
        }
        if (!hasKernels(w.type)) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: no kernel for " +
                                       std::string(core::ggmlTypeInfo(w.type).name));
        }
        return {};
    }

    Grid grid(std::uint64_t workgroups) const { return planGrid(workgroups, maxGroupsPerDim); }

    VkDescriptorBufferInfo codeBookBinding(core::GgmlType type) const {
        const CodeBookRange r = codeBookLayout->range(type);
        return {codeBooks.handle(), r.offset, r.bytes};
    }

    core::Status dequantize(const core::WeightMatrix& w, core::RowRange rows, void* out, bool f16,
                            int repeats) {
        if (core::Status s = checkInput(w, rows); !s) {
            return s;
        }
        if (!out && rows.count > 0) {
            return core::makeError(core::ErrorCode::InvalidArgument, "dequantize: null output");
        }
        const std::uint64_t elements = static_cast<std::uint64_t>(rows.count * w.nCols);
        if (elements == 0) {
            return {};
        }
        const std::uint64_t rowBytes = *core::ggmlRowBytes(w.type, std::uint64_t(w.nCols));
        const std::uint64_t srcBytes = rowBytes * static_cast<std::uint64_t>(rows.count);
        const std::uint32_t outBytes = f16 ? 2 : 4;
        const UnitShape unit = unitShape(w.type);
        const std::uint64_t srcAlloc = roundUp(srcBytes, 16) + kBufferTail;
        const std::uint64_t dstAlloc = roundUp(elements, unit.elems) * outBytes + kBufferTail;
        const Kernel kernel = f16 ? Kernel::DequantF16 : Kernel::DequantF32;
        const std::uint32_t wg = kernels->workgroupSize(kernel);
        ChunkLimits chunkLimits = limits;
        chunkLimits.maxWorkItems = std::uint64_t(maxGroupsPerDim) * maxGroupsPerDim * wg;
        const auto chunks = planDequant(elements, unit.elems, unit.bytes, outBytes, srcAlloc,
                                        dstAlloc, chunkLimits);
        if (chunks.empty()) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: one block does not fit the binding limit");
        }
        const auto* bytes = static_cast<const std::uint8_t*>(w.data) +
                            static_cast<std::uint64_t>(rows.first) * rowBytes;
        if (core::Status s = stageIn(src, bytes, srcBytes, srcAlloc); !s) {
            return s;
        }
        if (core::Status s = prepareOut(dst, dstAlloc); !s) {
            return s;
        }
        std::vector<Dispatch> dispatches;
        for (const auto& c : chunks) {
            Dispatch d;
            d.bindings[0] = {src.handle(), c.src.offset, c.src.size};
            d.bindings[1] = {dst.handle(), c.dst.offset, c.dst.size};
            d.bindings[2] = d.bindings[0]; // the blocks again, as 16-byte texels
            d.bindings[3] = codeBookBinding(w.type);
            d.params.srcByteOffset = static_cast<std::uint32_t>(c.src.inner);
            d.params.dstElemOffset = static_cast<std::uint32_t>(c.dst.inner / outBytes);
            d.params.count = static_cast<std::uint32_t>((c.elements + 31) / 32);
            d.params.elemCount = static_cast<std::uint32_t>(c.elements);
            d.grid = grid((d.params.count + wg - 1) / wg);
            if (d.grid.y == 0) {
                return core::makeError(core::ErrorCode::Unsupported,
                                       "Vulkan: dispatch grid too large");
            }
            dispatches.push_back(d);
        }
        if (core::Status s = run(kernel, w.type, dispatches, repeats); !s) {
            return s;
        }
        return stageOut(dst, out, elements * outBytes);
    }

    core::Status matvec(const core::WeightMatrix& w, const float* xHost, float* y, int repeats) {
        if (core::Status s = checkInput(w, {0, w.nRows}); !s) {
            return s;
        }
        if ((!xHost || !y) && w.nRows > 0) {
            return core::makeError(core::ErrorCode::InvalidArgument, "matvec: null x or y");
        }
        if (w.nRows == 0) {
            return {};
        }
        const std::uint64_t rowBytes = *core::ggmlRowBytes(w.type, std::uint64_t(w.nCols));
        const std::uint64_t srcBytes = rowBytes * static_cast<std::uint64_t>(w.nRows);
        const std::uint64_t srcAlloc = roundUp(srcBytes, 16) + kBufferTail;
        // x padded with zeros to whole 32-value groups: the shader reads vec4s without checks.
        const std::uint64_t xBytes = roundUp(static_cast<std::uint64_t>(w.nCols), 32) * 4;
        const std::uint64_t yAlloc = static_cast<std::uint64_t>(w.nRows) * 4 + kBufferTail;
        if (xBytes > limits.maxBindingBytes) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: x of " + std::to_string(w.nCols) +
                                       " values exceeds the binding limit");
        }
        // Rows per workgroup: one (a workgroup reduces a row) or the workgroup size (one row
        // per invocation on CPU devices).
        const std::uint64_t rowsPerGroup = kernels->matvecRowsPerWorkgroup();
        ChunkLimits chunkLimits = limits;
        chunkLimits.maxWorkItems = std::uint64_t(maxGroupsPerDim) * maxGroupsPerDim * rowsPerGroup;
        const auto chunks = planMatvec(static_cast<std::uint64_t>(w.nRows), rowBytes, srcAlloc,
                                       yAlloc, chunkLimits);
        if (chunks.empty()) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: one row of " + std::to_string(rowBytes) +
                                       " bytes exceeds the binding limit");
        }
        if (core::Status s = stageIn(src, w.data, srcBytes, srcAlloc); !s) {
            return s;
        }
        if (core::Status s =
                stageIn(x, xHost, static_cast<std::uint64_t>(w.nCols) * 4, xBytes + kBufferTail);
            !s) {
            return s;
        }
        if (core::Status s = prepareOut(dst, yAlloc); !s) {
            return s;
        }
        std::vector<Dispatch> dispatches;
        for (const auto& c : chunks) {
            Dispatch d;
            d.bindings[0] = {src.handle(), c.src.offset, c.src.size};
            d.bindings[1] = {x.handle(), 0, xBytes};
            d.bindings[2] = {dst.handle(), c.dst.offset, c.dst.size};
            d.bindings[3] = d.bindings[0]; // the blocks again, as 16-byte texels
            d.bindings[4] = codeBookBinding(w.type);
            d.params.srcByteOffset = static_cast<std::uint32_t>(c.src.inner);
            d.params.dstElemOffset = static_cast<std::uint32_t>(c.dst.inner / 4);
            d.params.count = static_cast<std::uint32_t>(c.rows);
            d.params.elemCount = static_cast<std::uint32_t>(w.nCols);
            d.params.rowBytes = static_cast<std::uint32_t>(rowBytes);
            d.params.groupsPerRow = static_cast<std::uint32_t>((w.nCols + 31) / 32);
            d.grid = grid((c.rows + rowsPerGroup - 1) / rowsPerGroup);
            if (d.grid.y == 0) {
                return core::makeError(core::ErrorCode::Unsupported,
                                       "Vulkan: dispatch grid too large");
            }
            dispatches.push_back(d);
        }
        if (core::Status s = run(Kernel::Matvec, w.type, dispatches, repeats); !s) {
            return s;
        }
        return stageOut(dst, y, static_cast<std::uint64_t>(w.nRows) * 4);
    }

    // y = W x for n tokens through mul_mm.comp: the weights uploaded and decoded once per
    // batch (per tile of 32 tokens on the device), not once per token as n matvecs would.
    // Returns false in `fitted` (and nothing else) when one tile of tokens does not fit the
    // binding limit: the caller then runs matvecs.
    core::Status matmul(const core::WeightMatrix& w, const float* xHost, std::int64_t n, float* y,
                        int repeats, bool& fitted) {
        fitted = true;
        const std::uint64_t rowBytes = *core::ggmlRowBytes(w.type, std::uint64_t(w.nCols));
        const std::uint64_t srcBytes = rowBytes * static_cast<std::uint64_t>(w.nRows);
        const std::uint64_t srcAlloc = roundUp(srcBytes, 16) + kBufferTail;
        const std::uint64_t tile = shader::MM_TILE_TOKENS;
        const auto tokens = static_cast<std::uint64_t>(n);
        const auto rows = static_cast<std::uint64_t>(w.nRows);
        const auto cols = static_cast<std::uint64_t>(w.nCols);
        // x as mul_mm.comp reads it: each token's values zero-padded to whole steps, the tokens
        // to whole tiles.
        const std::uint64_t groups = (cols + 31) / 32;
        const std::uint64_t stepValues = std::uint64_t(shader::MM_STEP_GROUPS) * 32;
        const std::uint64_t xStride = (groups * 32 + stepValues - 1) / stepValues * stepValues;
        const std::uint64_t paddedTokens = roundUp(tokens, tile);
        const std::uint64_t xAlloc = paddedTokens * xStride * 4 + kBufferTail;
        const std::uint64_t yAlloc = tokens * rows * 4 + kBufferTail;
        // Tokens per dispatch: whole tiles whose x and y each fit one binding, and a grid
        // column of at most maxGroupsPerDim tiles.
        const std::uint64_t room = usableBindingBytes(limits);
        std::uint64_t batch = std::min(room / (xStride * 4), room / (rows * 4)) / tile * tile;
        batch = std::min<std::uint64_t>(batch, std::uint64_t(maxGroupsPerDim) * tile);
        const std::uint64_t rowsPerGroup = kernels->matmulRowsPerWorkgroup();
        ChunkLimits chunkLimits = limits;
        chunkLimits.maxWorkItems = std::uint64_t(maxGroupsPerDim) * rowsPerGroup;
        const auto chunks = planMatvec(rows, rowBytes, srcAlloc, yAlloc, chunkLimits);
        if (batch == 0 || chunks.empty()) {
            fitted = false;
            return {};
        }
        if (core::Status s = stageIn(src, w.data, srcBytes, srcAlloc); !s) {
            return s;
        }
        if (core::Status s = stageInWith(x, xAlloc,
                                         [&](std::uint8_t* mapped) {
                                             std::memset(mapped, 0, xAlloc);
                                             auto* out = reinterpret_cast<float*>(mapped);
                                             for (std::uint64_t t = 0; t < tokens; ++t) {
                                                 std::memcpy(out + t * xStride, xHost + t * cols,
                                                             cols * 4);
                                             }
                                         });
            !s) {
            return s;
        }
        if (core::Status s = prepareOut(dst, yAlloc); !s) {
            return s;
        }
        std::vector<Dispatch> dispatches;
        for (std::uint64_t t0 = 0; t0 < tokens; t0 += batch) {
            const std::uint64_t nb = std::min(batch, tokens - t0);
            const Binding xRange =
                bindRange(t0 * xStride * 4, roundUp(nb, tile) * xStride * 4, xAlloc, limits);
            const Binding yRange = bindRange(t0 * rows * 4, nb * rows * 4, yAlloc, limits);
            if (xRange.inner != 0) {
                // Batches start at whole tiles of 256-byte steps: never misaligned in practice.
                return core::makeError(core::ErrorCode::Unsupported,
                                       "Vulkan: misaligned token batch for mul_mm");
            }
            for (const auto& c : chunks) {
                Dispatch d;
                d.bindings[0] = {src.handle(), c.src.offset, c.src.size};
                d.bindings[1] = {x.handle(), xRange.offset, xRange.size};
                d.bindings[2] = {dst.handle(), yRange.offset, yRange.size};
                d.bindings[3] = d.bindings[0]; // the blocks again, as 16-byte texels
                d.bindings[4] = codeBookBinding(w.type);
                d.params.srcByteOffset = static_cast<std::uint32_t>(c.src.inner);
                d.params.dstElemOffset = static_cast<std::uint32_t>(yRange.inner / 4 + c.firstRow);
                d.params.count = static_cast<std::uint32_t>(c.rows);
                d.params.elemCount = static_cast<std::uint32_t>(cols);
                d.params.rowBytes = static_cast<std::uint32_t>(rowBytes);
                d.params.groupsPerRow = static_cast<std::uint32_t>(groups);
                d.params.tokens = static_cast<std::uint32_t>(nb);
                d.params.yStride = static_cast<std::uint32_t>(rows);
                d.grid = {static_cast<std::uint32_t>((c.rows + rowsPerGroup - 1) / rowsPerGroup),
                          static_cast<std::uint32_t>((nb + tile - 1) / tile)};
                dispatches.push_back(d);
            }
        }
        if (core::Status s = run(Kernel::MatMul, w.type, dispatches, repeats); !s) {
            return s;
        }
        return stageOut(dst, y, tokens * rows * 4);
    }

    // Packed GPTQ/AWQ linears: uploads the data chunks of planPacked (the arrays re-cut per
    // chunk of outputs) and the group table, then dispatches per chunk and output range.
    struct PackedJob {
        PackedPlan plan;
        std::vector<std::int32_t> groupTable;
        bool perColumnGroups = false;
    };

    core::Result<PackedJob> planPackedJob(const core::PackedLinear& w, core::RowRange rows,
                                          std::uint64_t dstBytesPerOutput,
                                          std::uint64_t maxOutputsPerDispatch) const {
        PackedJob job;
        // One group per 32-column block when every block has one (contiguous groups of a
        // multiple of 32 columns, a trivial g_idx), else one per column.
        job.groupTable = core::packedBlockGroups(w);
        job.perColumnGroups =
            std::find(job.groupTable.begin(), job.groupTable.end(), -1) != job.groupTable.end();
        if (job.perColumnGroups) {
            job.groupTable.resize(static_cast<std::size_t>(w.in));
            for (std::int64_t c = 0; c < w.in; ++c) {
                job.groupTable[c] = core::packedGroupOf(w, c);
            }
        }
        PackedShape shape;
        shape.in = static_cast<std::uint64_t>(w.in);
        shape.out = static_cast<std::uint64_t>(w.out);
        shape.groups = static_cast<std::uint64_t>(w.groups);
        shape.bits = static_cast<std::uint32_t>(w.bits);
        shape.granule = static_cast<std::uint64_t>(core::packedOutputGranule(w));
        shape.groupEntries = job.groupTable.size();
        auto plan = planPacked(shape, static_cast<std::uint64_t>(rows.first),
                               static_cast<std::uint64_t>(rows.count), dstBytesPerOutput,
                               maxOutputsPerDispatch, limits);
        if (!plan) {
            return plan.error();
        }
        job.plan = std::move(*plan);
        return job;
    }

    // The dispatches of a packed job; `xBinding` is binding 5 (x, or any valid range).
    std::vector<Dispatch> packedDispatches(const core::PackedLinear& w, const PackedJob& job,
                                           std::uint32_t dstElemBytes, std::uint32_t unit,
                                           VkDescriptorBufferInfo xBinding) const {
        std::vector<Dispatch> dispatches;
        for (const PackedDispatch& pd : job.plan.dispatches) {
            const PackedDataChunk& c = job.plan.chunks[pd.chunk];
            Dispatch d;
            d.bindings[0] = {src.handle(), c.qweight.offset, c.qweight.size};
            d.bindings[1] = {dst.handle(), pd.dst.offset, pd.dst.size};
            d.bindings[2] = {src.handle(), c.qzeros.offset, c.qzeros.size};
            d.bindings[3] = {src.handle(), c.scales.offset, c.scales.size};
            d.bindings[4] = {src.handle(), job.plan.groupTable.offset, job.plan.groupTable.size};
            d.bindings[5] = xBinding.buffer ? xBinding : d.bindings[3];
            shader::PackedParams& p = d.packed;
            p.dstElemOffset = static_cast<std::uint32_t>(pd.dst.inner / dstElemBytes);
            p.chunkOutputs = static_cast<std::uint32_t>(c.outputs);
            p.firstOutput = static_cast<std::uint32_t>(pd.firstOutput - c.firstOutput);
            p.outputCount = static_cast<std::uint32_t>(pd.outputs);
            // Units of `unit` outputs from the one holding firstOutput to the one holding the
            // last output (chunks start at whole units: granules are multiples of them).
            p.unitCount = (p.firstOutput + p.outputCount + unit - 1) / unit - p.firstOutput / unit;
            p.inFeatures = static_cast<std::uint32_t>(w.in);
            p.blocks = static_cast<std::uint32_t>((w.in + 31) / 32);
            p.qweightRows = static_cast<std::uint32_t>(
                w.layout == core::PackedLayout::AwqGemm ? w.in : w.in * w.bits / 32);
            p.zeroOffset = w.layout == core::PackedLayout::GptqV1 ? 1u : 0u;
            dispatches.push_back(d);
        }
        return dispatches;
    }

    core::Status dequantizePacked(const core::PackedLinear& w, core::RowRange rows, void* out,
                                  bool f16, int repeats) {
        if (core::Status s = core::validatePackedRows(w, rows.first, rows.count); !s) {
            return s;
        }
        if (!out && rows.count > 0) {
            return core::makeError(core::ErrorCode::InvalidArgument, "dequantize: null output");
        }
        if (rows.count == 0) {
            return {};
        }
        const Kernel kernel = f16 ? Kernel::PackedDequantF16 : Kernel::PackedDequantF32;
        const std::uint32_t outBytes = f16 ? 2 : 4;
        const std::uint64_t wg = kernels->workgroupSize(kernel);
        const std::uint64_t blocks = static_cast<std::uint64_t>(w.in + 31) / 32;
        const PackedFormat format = packedFormat(w.layout, w.bits);
        const std::uint32_t unit = packedUnitOutputs(format);
        // An invocation per (unit, block); its index stays below 2^31 (dequant_packed.comp).
        // A dispatch's range may cover one unit more than its outputs fill.
        const std::uint64_t maxUnits =
            std::min<std::uint64_t>(std::uint64_t(maxGroupsPerDim) * maxGroupsPerDim * wg,
                                    std::uint64_t(1) << 31) /
            blocks;
        auto job = planPackedJob(w, rows, static_cast<std::uint64_t>(w.in) * outBytes,
                                 maxUnits > 1 ? (maxUnits - 1) * unit : 0);
        if (!job) {
            return job.error();
        }
        auto pipeline = kernels->packedPipeline(kernel, format, job->perColumnGroups);
        if (!pipeline) {
            return pipeline.error();
        }
        if (core::Status s = stageInWith(src, job->plan.srcBytes,
                                         [&](std::uint8_t* mapped) {
                                             writePackedSource(mapped, w, job->plan,
                                                               job->groupTable);
                                         });
            !s) {
            return s;
        }
        if (core::Status s = prepareOut(dst, job->plan.dstBytes); !s) {
            return s;
        }
        std::vector<Dispatch> dispatches = packedDispatches(w, *job, outBytes, unit, {});
        for (Dispatch& d : dispatches) {
            d.grid = grid((std::uint64_t(d.packed.unitCount) * blocks + wg - 1) / wg);
            if (d.grid.y == 0) {
                return core::makeError(core::ErrorCode::Unsupported,
                                       "Vulkan: dispatch grid too large");
            }
        }
        if (core::Status s = run(kernel, pipeline, dispatches, repeats); !s) {
            return s;
        }
        return stageOut(dst, out,
                        static_cast<std::uint64_t>(rows.count) * static_cast<std::uint64_t>(w.in) *
                            outBytes);
    }

    core::Status matvecPacked(const core::PackedLinear& w, const float* xHost, float* y,
                              int repeats) {
        if (core::Status s = core::validatePackedRows(w, 0, w.out); !s) {
            return s;
        }
        if (!xHost || !y) {
            return core::makeError(core::ErrorCode::InvalidArgument, "matvec: null x or y");
        }
        // x padded with zeros to whole 32-value blocks: the shader reads vec4s without checks.
        const std::uint64_t xBytes = roundUp(static_cast<std::uint64_t>(w.in), 32) * 4;
        if (xBytes > usableBindingBytes(limits)) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: x of " + std::to_string(w.in) +
                                       " values exceeds the binding limit");
        }
        const PackedMatvecShape shape = kernels->packedMatvecShape();
        const PackedFormat format = packedFormat(w.layout, w.bits);
        const std::uint32_t unit = packedUnitOutputs(format);
        const std::uint64_t maxUnits =
            std::uint64_t(maxGroupsPerDim) * maxGroupsPerDim * shape.units;
        auto job = planPackedJob(w, {0, w.out}, 4, (maxUnits - 1) * unit);
        if (!job) {
            return job.error();
        }
        auto pipeline = kernels->packedPipeline(Kernel::PackedMatvec, format, job->perColumnGroups);
        if (!pipeline) {
            return pipeline.error();
        }
        if (core::Status s = stageInWith(src, job->plan.srcBytes,
                                         [&](std::uint8_t* mapped) {
                                             writePackedSource(mapped, w, job->plan,
                                                               job->groupTable);
                                         });
            !s) {
            return s;
        }
        if (core::Status s =
                stageIn(x, xHost, static_cast<std::uint64_t>(w.in) * 4, xBytes + kBufferTail);
            !s) {
            return s;
        }
        if (core::Status s = prepareOut(dst, job->plan.dstBytes); !s) {
            return s;
        }
        std::vector<Dispatch> dispatches =
            packedDispatches(w, *job, 4, unit, {x.handle(), 0, xBytes});
        for (Dispatch& d : dispatches) {
            d.grid = grid((d.packed.unitCount + shape.units - 1) / shape.units);
            if (d.grid.y == 0) {
                return core::makeError(core::ErrorCode::Unsupported,
                                       "Vulkan: dispatch grid too large");
            }
        }
        if (core::Status s = run(Kernel::PackedMatvec, pipeline, dispatches, repeats); !s) {
            return s;
        }
        return stageOut(dst, y, static_cast<std::uint64_t>(w.out) * 4);
    }
};

VulkanBackend::VulkanBackend(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

VulkanBackend::~VulkanBackend() {
    if (m_impl) {
        // Buffers and pipelines go before the device they belong to.
        m_impl->src.release();
        m_impl->dst.release();
        m_impl->x.release();
        m_impl->upload.release();
        m_impl->download.release();
        m_impl->codeBooks.release();
        m_impl->kernels.reset();
        m_impl->ctx.reset();
    }
}

core::Result<std::unique_ptr<VulkanBackend>>
VulkanBackend::create(const VulkanBackendOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    auto ctx = Context::create(options.deviceIndex, options.persistPipelineCache);
    if (!ctx) {
        return ctx.error();
    }
    impl->ctx = std::move(*ctx);
    impl->kernels =
        std::make_unique<KernelTable>(*impl->ctx, options.forceWorkgroupPerRow,
                                      options.forceSharedMemoryReduction, options.forceWordStores);
    if (core::Status s = impl->kernels->init(); !s) {
        return s.error();
    }
    const VkPhysicalDeviceLimits& l = impl->ctx->properties.limits;
    // Inputs are read through texel buffer views (kernel_table.h): their formats must be
    // supported, which Vulkan requires of every device.
    for (VkFormat format :
         {VK_FORMAT_R32_UINT, VK_FORMAT_R32G32B32A32_UINT, VK_FORMAT_R32G32B32A32_SFLOAT}) {
        VkFormatProperties props{};
        vkGetPhysicalDeviceFormatProperties(impl->ctx->physical, format, &props);
        if (!(props.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT)) {
            return core::makeError(core::ErrorCode::Unsupported,
                                   "Vulkan: device lacks uniform texel buffers of format " +
                                       std::to_string(static_cast<int>(format)));
        }
    }
    // Byte addresses inside a binding are 32-bit in the shaders: keep bindings below 2 GiB.
    // An input binding is also a texel view of at most maxTexelBufferElements 4-byte texels.
    impl->limits.maxBindingBytes = std::min<std::uint64_t>(
        {l.maxStorageBufferRange, std::uint64_t(l.maxTexelBufferElements) * 4,
         std::uint64_t(1) << 31});
    if (options.maxBindingBytes) {
        impl->limits.maxBindingBytes =
            std::min(impl->limits.maxBindingBytes, options.maxBindingBytes);
    }
    impl->limits.offsetAlignment = std::max<std::uint64_t>(
        {16, l.minStorageBufferOffsetAlignment, l.minTexelBufferOffsetAlignment});
    impl->maxGroupsPerDim = std::min(l.maxComputeWorkGroupCount[0], l.maxComputeWorkGroupCount[1]);
    impl->codeBookLayout = std::make_unique<CodeBooks>(impl->limits.offsetAlignment);
    const auto& books = impl->codeBookLayout->bytes();
    if (core::Status s = impl->stageIn(impl->codeBooks, books.data(), books.size(),
                                       roundUp(books.size(), 16) + kBufferTail);
        !s) {
        return s.error();
    }
    if (options.maxWorkgroupsPerDim) {
        impl->maxGroupsPerDim = std::min(impl->maxGroupsPerDim, options.maxWorkgroupsPerDim);
    }
    const Context& c = *impl->ctx;
    impl->info.index = c.physicalIndex;
    impl->info.name = c.properties.deviceName;
    switch (c.properties.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        impl->info.kind = DeviceKind::DiscreteGpu;
        break;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        impl->info.kind = DeviceKind::IntegratedGpu;
        break;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        impl->info.kind = DeviceKind::VirtualGpu;
        break;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        impl->info.kind = DeviceKind::Cpu;
        break;
    default:
        impl->info.kind = DeviceKind::Other;
        break;
    }
    impl->info.apiVersionMajor = VK_API_VERSION_MAJOR(c.properties.apiVersion);
    impl->info.apiVersionMinor = VK_API_VERSION_MINOR(c.properties.apiVersion);
    impl->info.driverInfo = c.driverInfo;
    impl->info.maxStorageBufferRange = l.maxStorageBufferRange;
    impl->info.subgroupSize = c.subgroupSize;
    return std::unique_ptr<VulkanBackend>(new VulkanBackend(std::move(impl)));
}

std::string VulkanBackend::name() const {
    return "Vulkan: " + m_impl->info.name;
}

bool VulkanBackend::runsOnHostCpu() const {
    return m_impl->info.kind == DeviceKind::Cpu;
}

bool VulkanBackend::supports(core::GgmlType type) const {
    return hasKernels(type);
}

const DeviceInfo& VulkanBackend::device() const {
    return m_impl->info;
}

double VulkanBackend::lastKernelSeconds() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->lastKernelSeconds;
}

core::Status VulkanBackend::dequantize(const core::WeightMatrix& w, core::RowRange rows,
                                       float* out) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->dequantize(w, rows, out, false, 1);
}

core::Status VulkanBackend::dequantizeF16(const core::WeightMatrix& w, core::RowRange rows,
                                          std::uint16_t* out) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->dequantize(w, rows, out, true, 1);
}

core::Status VulkanBackend::matvec(const core::WeightMatrix& w, const float* x, float* y) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->matvec(w, x, y, 1);
}

core::Status VulkanBackend::matmul(const core::WeightMatrix& w, const float* x, std::int64_t n,
                                   float* y) {
    if (core::Status s = m_impl->checkInput(w, {0, w.nRows}); !s) {
        return s;
    }
    if (n < 0 || ((!x || !y) && n > 0 && w.nRows > 0)) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "matmul: null x or y, or a batch of " + std::to_string(n) +
                                   " tokens");
    }
    if (n == 0 || w.nRows == 0) {
        return {};
    }
    std::lock_guard lock(m_impl->mutex);
    if (n >= m_impl->options.minMatmulTokens) {
        bool fitted = false;
        if (core::Status s = m_impl->matmul(w, x, n, y, 1, fitted); !s || fitted) {
            return s;
        }
    }
    for (std::int64_t t = 0; t < n; ++t) {
        if (core::Status s = m_impl->matvec(w, x + t * w.nCols, y + t * w.nRows, 1); !s) {
            return s;
        }
    }
    return {};
}

core::Status VulkanBackend::dequantize(const core::PackedLinear& w, core::RowRange rows,
                                       float* out) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->dequantizePacked(w, rows, out, false, 1);
}

core::Status VulkanBackend::dequantizeF16(const core::PackedLinear& w, core::RowRange rows,
                                          std::uint16_t* out) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->dequantizePacked(w, rows, out, true, 1);
}

core::Status VulkanBackend::matvec(const core::PackedLinear& w, const float* x, float* y) {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->matvecPacked(w, x, y, 1);
}

core::Result<double> VulkanBackend::timeDequantize(const core::PackedLinear& w, float* out,
                                                   int repeats) {
    std::lock_guard lock(m_impl->mutex);
    if (core::Status s = m_impl->dequantizePacked(w, {0, w.out}, out, false, repeats + 1); !s) {
        return s.error();
    }
    return m_impl->lastKernelSeconds;
}

core::Result<double> VulkanBackend::timeMatvec(const core::PackedLinear& w, const float* x,
                                               float* y, int repeats) {
    std::lock_guard lock(m_impl->mutex);
    if (core::Status s = m_impl->matvecPacked(w, x, y, repeats + 1); !s) {
        return s.error();
    }
    return m_impl->lastKernelSeconds;
}

core::Result<double> VulkanBackend::timeDequantize(const core::WeightMatrix& w, float* out,
                                                   int repeats) {
    std::lock_guard lock(m_impl->mutex);
    if (core::Status s = m_impl->dequantize(w, {0, w.nRows}, out, false, repeats + 1); !s) {
        return s.error();
    }
    return m_impl->lastKernelSeconds;
}

core::Result<double> VulkanBackend::timeMatvec(const core::WeightMatrix& w, const float* x,
                                               float* y, int repeats) {
    std::lock_guard lock(m_impl->mutex);
    if (core::Status s = m_impl->matvec(w, x, y, repeats + 1); !s) {
        return s.error();
    }
    return m_impl->lastKernelSeconds;
}

} // namespace qs::vk
