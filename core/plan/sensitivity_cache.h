#pragma once

#include "core/error.h"
#include "core/plan/sensitivity.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

// The on-disk cache of sensitivity points, so that a second `plan` run (or the GUI reopening
// the model) measures nothing again. One JSON file per (model, imatrix) pair,
// "<dir>/sens-<model key>-<imatrix key>.json", holding tensor -> format -> point.
namespace qs::core {

class Model;
struct ImportanceMatrix;

// The model's key. Hashing every byte of a 70B model would take minutes, so the key hashes
// the tensor index (names, types, dims, sizes) and a sample of every tensor's data: its
// first, middle and last 4 KiB. Any re-quantization, fine-tune or conversion rewrites those;
// an edit confined to the unsampled interior of a tensor of unchanged size would not be
// seen. File paths and times are not part of it: a copied or moved model keeps its cache.
std::uint64_t sensitivityModelKey(const Model& model);
// 0 without an imatrix; else a hash of every entry's name and weights.
std::uint64_t sensitivityImatrixKey(const ImportanceMatrix* imatrix);

class SensitivityCache {
public:
    // Loads `<dir>/sens-<modelKey>-<imatrixKey>.json` if it exists; a missing file is an
    // empty cache, an unreadable or foreign one is ignored (and rewritten on save).
    static SensitivityCache open(const std::string& dir, std::uint64_t modelKey,
                                 std::uint64_t imatrixKey);

    std::optional<SensitivityPoint> find(const std::string& tensor, GgmlType type,
                                         bool* weighted = nullptr) const;
    void insert(const std::string& tensor, const SensitivityPoint& point, bool weighted);
    // Writes the file atomically (creating the folder) when something was inserted.
    Status save() const;
    const std::string& path() const { return m_path; }

private:
    struct Entry {
        SensitivityPoint point;
        bool weighted = false;
    };
    std::string m_path;
    std::map<std::string, std::map<std::string, Entry>> m_entries; // tensor -> type name
    bool m_dirty = false;
};

} // namespace qs::core
