#pragma once

#include "core/error.h"
#include "core/fs/mapped_file.h"
#include "core/model/metadata.h"
#include "core/model/tensor_role.h"
#include "core/quant/ggml_type.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qs::core {

enum class ModelFormat { Gguf, Safetensors, Llama2c };
const char* modelFormatName(ModelFormat format);

// One contiguous piece of a tensor stored in several (TensorInfo::parts).
struct TensorPart {
    std::uint32_t source = 0;   // index into Model::sources()
    std::uint64_t offset = 0;   // absolute byte offset in that source file
    std::uint64_t byteSize = 0; // a whole number of the tensor's outer rows
    std::string sourceName;     // name of the piece in its container, for messages
};

// One tensor of a model, always described in GGUF terms (name, ne0-first dims, ggml type)
// whatever container it came from.
struct TensorInfo {
    std::string name;                // GGUF name ("blk.0.attn_q.weight")
    std::string sourceName;          // name in the source container (HF name); = name for GGUF
    std::vector<std::uint64_t> dims; // GGUF order: dims[0] is the contiguous row length
    GgmlType type = GgmlType::F32;
    std::uint64_t byteSize = 0;
    std::uint32_t source = 0;         // index into Model::sources()
    std::uint64_t offset = 0;         // absolute byte offset in that source file
    std::uint64_t relativeOffset = 0; // GGUF only: offset within the data section, as stored
    // > 0: the stored rows are in Hugging Face rotate-half order for this many heads and are
    // permuted into GGUF's interleaved-pair order when read (convert_hf_to_gguf's `permute`).
    std::uint32_t permuteHeads = 0;
    // The stored values are Gemma norm gains w, read as 1 + w in the stored precision
    // (convert_hf_to_gguf adds one to Gemma's RMSNorm weights).
    bool normPlusOne = false;
    // Non-empty: the tensor is these pieces one after the other (source and offset above are
    // unused). A Hugging Face MoE checkpoint stores one matrix per expert, in any shard, where
    // GGUF stacks them into one 3-D tensor; the pieces let every reader see the stacked tensor
    // without copying it. Only plain pieces: no permutation or value transform applies.
    std::vector<TensorPart> parts;

    std::uint64_t elementCount() const;
    // ggml rows of dims[0] values: the product of every other dim (ne1 * ne2 * ne3), so a 3-D
    // expert tensor has ne1 * ne2 rows and a 1-D tensor one. No division by dims[0], which a
    // legal GGUF tensor may have as 0.
    std::uint64_t ggmlRows() const;
    // Units along the outermost dim that reads can be split into (ggml rows for matrices).
    std::uint64_t outerRows() const;
    std::uint64_t outerRowBytes() const { return byteSize / outerRows(); }
    TensorRole role() const { return tensorRole(name); }
};

// Llama-family hyper-parameters as llama.cpp reads them (load_hparams), defaults applied.
struct LlamaHParams {
    std::string architecture; // general.architecture ("llama", "qwen2", ...)
    std::uint32_t contextLength = 0;
    std::uint32_t embeddingLength = 0;
    std::uint32_t blockCount = 0;
    std::uint32_t feedForwardLength = 0;
    std::uint32_t headCount = 0;
    std::uint32_t headCountKv = 0;        // defaults to headCount
    std::uint32_t ropeDimensionCount = 0; // defaults to embeddingLength / headCount
    float ropeFreqBase = 10000.0f;
    float rmsEpsilon = 0.0f;
    std::uint32_t vocabSize = 0; // {arch}.vocab_size, else the token list length

    static LlamaHParams fromMetadata(const Metadata& metadata);
};

// A view over the tensors of one layer ("blk.N.*"): indices into Model::tensors().
struct LayerView {
    int index = 0;
    std::vector<std::size_t> tensors;
};

// An opened model: metadata (in GGUF keys, whatever the container), a tensor index and the
// memory-mapped files the tensor bytes live in. Opening reads headers only.
class Model {
public:
    Model(ModelFormat format, std::string path,
          std::vector<std::shared_ptr<const MappedFile>> sources, Metadata metadata,
          std::vector<TensorInfo> tensors, std::uint32_t alignment = 32,
          std::uint64_t dataOffset = 0);

    ModelFormat format() const { return m_format; }
    const std::string& path() const { return m_path; }
    const Metadata& metadata() const { return m_metadata; }
    Metadata& metadata() { return m_metadata; }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    const std::vector<std::shared_ptr<const MappedFile>>& sources() const { return m_sources; }
    std::uint32_t alignment() const { return m_alignment; }
    std::uint64_t dataOffset() const { return m_dataOffset; } // GGUF data section start
    std::uint64_t fileBytes() const;                          // all source files together

    const TensorInfo* findTensor(std::string_view name) const;
    LlamaHParams hparams() const { return LlamaHParams::fromMetadata(m_metadata); }
    // Layers in index order; global tensors (token_embd, output*) belong to none.
    std::vector<LayerView> layers() const;
    // True when the model has no output.weight and llama.cpp will use token_embd instead.
    bool tiedEmbeddings() const { return findTensor("output.weight") == nullptr; }

    std::uint64_t parameterCount() const;
    std::uint64_t tensorBytes() const;
    double bitsPerWeight() const;

    // The bytes exactly as stored in the file (before any permutation). Lazy: no I/O until
    // touched. Readers validate every range, so this never points outside the mapping. Empty
    // for a tensor stored in several pieces (TensorInfo::parts): see storedRange.
    std::span<const std::byte> storedBytes(const TensorInfo& tensor) const;
    // Bytes [offset, offset + size) of the tensor as stored, as a view into the mapping when
    // they lie in one piece (one expert's matrix of a stacked tensor does); empty otherwise.
    std::span<const std::byte> storedRange(const TensorInfo& tensor, std::uint64_t offset,
                                           std::uint64_t size) const;
    // The same bytes copied into `out` (out.size() of them) across pieces.
    Status copyStored(const TensorInfo& tensor, std::uint64_t offset,
                      std::span<std::byte> out) const;
    // Outer rows [first, first+count) in GGUF layout, permutation applied, into `out`
    // (exactly count * outerRowBytes() bytes). Memory is the caller's: a tensor or a
    // chunk of it at a time.
    Status readRows(const TensorInfo& tensor, std::uint64_t first, std::uint64_t count,
                    std::span<std::byte> out) const;
    Status readTensorData(const TensorInfo& tensor, std::span<std::byte> out) const {
        return readRows(tensor, 0, tensor.outerRows(), out);
    }
    // Once a streaming pass has read a tensor: let its mapped pages go (MappedFile::releasePages)
    // so resident memory does not grow with the model.
    void releaseTensorPages(const TensorInfo& tensor) const;
    // The same for outer rows [first, first+count) once readRows has copied them, so a pass that
    // streams a large tensor in chunks never holds all of it. Pages shared with neighbouring
    // rows stay; a head-permuted tensor (rows read out of order) is left to releaseTensorPages.
    void releaseRowPages(const TensorInfo& tensor, std::uint64_t first, std::uint64_t count) const;
    // ggml rows (dims[0] values each; a 3-D expert tensor has dims[1] * dims[2] of them) rather
    // than outer rows: what a pass that streams every matrix of a tensor reads, so an expert
    // tensor is read a slab of rows at a time, not whole. For 2-D tensors the same as readRows;
    // for more dims only where no permutation or value transform applies (canReadGgmlRows).
    bool canReadGgmlRows(const TensorInfo& tensor) const;
    Status readGgmlRows(const TensorInfo& tensor, std::uint64_t first, std::uint64_t count,
                        std::span<std::byte> out) const;
    void releaseGgmlRowPages(const TensorInfo& tensor, std::uint64_t first,
                             std::uint64_t count) const;

private:
    // Lets the mapped pages of bytes [offset, offset + size) of the tensor go, piece by piece.
    void releaseStored(const TensorInfo& tensor, std::uint64_t offset, std::uint64_t size) const;

    ModelFormat m_format;
    std::string m_path;
    std::vector<std::shared_ptr<const MappedFile>> m_sources;
    Metadata m_metadata;
    std::vector<TensorInfo> m_tensors;
    std::uint32_t m_alignment;
    std::uint64_t m_dataOffset;
};

} // namespace qs::core
