#pragma once

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace qs::core {
class Model;
}

namespace qs::ui {

// The tensors of a model grouped by layer: top-level rows are "Global" (embeddings, output,
// final norm) and "Layer N"; their children are tensors with name, role, dims, stored type
// and size. Group rows show the totals of their tensors. A mixture-of-experts tensor (3-D
// ffn_*_exps: one row per role and layer, one format for all its experts) expands into its
// experts, each with its matrix dims and share of the bytes.
class TensorTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { NameColumn, RoleColumn, DimsColumn, TypeColumn, SizeColumn, ColumnCount };
    // Data role giving the index into core::Model::tensors() (-1 for group rows).
    static constexpr int TensorIndexRole = Qt::UserRole + 1;
    // On an expert row, its expert number; -1 elsewhere.
    static constexpr int ExpertIndexRole = Qt::UserRole + 2;

    explicit TensorTreeModel(QObject* parent = nullptr);

    void setModel(std::shared_ptr<const core::Model> model);
    const core::Model* model() const { return m_model.get(); }

    // The index of a tensor's row, for selecting it from elsewhere (plots, plan grid).
    QModelIndex indexOfTensor(std::size_t tensorIndex) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Group {
        QString title;
        std::vector<std::size_t> tensors; // indices into core::Model::tensors()
        quint64 bytes = 0;
    };
    static constexpr quintptr kGroupId = ~quintptr(0);
    // Expert rows: this bit, the group in bits 31..61 and the tensor's row in bits 0..30.
    static constexpr quintptr kExpertBit = quintptr(1) << 62;
    static bool isExpertRow(const QModelIndex& index);
    // The experts of the tensor at `row` of `group`; 0 for any other tensor.
    int expertCount(std::size_t group, int row) const;
    QVariant expertData(const QModelIndex& index, int role) const;

    std::shared_ptr<const core::Model> m_model;
    std::vector<Group> m_groups;
};

} // namespace qs::ui
