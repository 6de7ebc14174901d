#pragma once

#include "core/model/tensor_role.h"
#include "core/plan/quant_plan.h"
#include "core/plan/sensitivity.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// Per-tensor bit allocation: choose one candidate format per row of a SensitivityTable to
// minimise the sum of (weighted) errors under a size budget, or the size under an error
// budget. A multiple-choice knapsack, solved by Lagrangian relaxation over each tensor's
// lower convex hull (greedy on hull slopes, which is exact at every hull breakpoint) followed
// by a knapsack repair (best single upgrades, then downgrade-one/upgrade-another swaps) that
// spends what the hull solution left, and on tables of up to 64 tensors a branch and bound
// (LP bounds, at most 4000 nodes) that proves the optimum when it finishes. Every result
// carries a certified lower bound (the LP relaxation's optimum, or the objective itself when
// proven), so `objective - lowerBound` bounds the distance to the true optimum; that gap is
// never more than the error drop of one hull step of one tensor.
namespace qs::core {

struct OptimizerTarget {
    enum class Kind { Bytes, BitsPerWeight, MaxError };
    Kind kind = Kind::Bytes;
    // Bytes of the file (all tensors, plus the table's fileOverheadBytes), bits per weight of
    // those bytes, or the weighted error sum.
    double value = 0;

    static OptimizerTarget bytes(std::uint64_t b) { return {Kind::Bytes, static_cast<double>(b)}; }
    static OptimizerTarget bitsPerWeight(double bpw) { return {Kind::BitsPerWeight, bpw}; }
    static OptimizerTarget maxError(double e) { return {Kind::MaxError, e}; }
};

struct OptimizerOptions {
    // Multiplies the error of every tensor of a role (attn_v, ffn_down, output, ...); roles
    // not listed weigh 1.
    std::map<TensorRole, double> roleWeights;
    // Weigh each tensor's error by its parameter count (divided by the mean, so a typical
    // tensor still weighs about 1): the sum then approximates the model's total squared error
    // rather than giving every tensor an equal say.
    bool sizeWeighted = false;
    // Per-tensor multipliers (KldCalibration::gains: the model-level effect of each tensor's
    // error); tensors not listed weigh 1. Applied on top of the role and size weights.
    std::map<std::string, double> tensorWeights;
    // Tensors whose type is decided elsewhere (manual edits in the GUI): they keep it and
    // only their bytes count against the budget. Types not among the row's points are ignored.
    std::map<std::string, GgmlType> pinned;
};

// A prior for OptimizerOptions::roleWeights when no KLD calibration is available: the mean
// KLD gain per role that --calibrate-kld measured on shakespeare-3M (docs/benchmarks.md),
// rounded (output 8, token_embd 2, ffn_down 1.2, attn_v 1, ffn_gate 0.7, attn_output 0.6,
// ffn_up 0.5, attn_q 0.3, attn_k 0.3). It agrees with llama.cpp's own rules (more bits to
// output, attn_v, ffn_down); calibration on the model at hand is better.
std::map<TensorRole, double> defaultRoleWeights();

// Parses "attn_v=2,ffn_down=1.5" (role names as tensorRoleName spells them).
Result<std::map<TensorRole, double>> parseRoleWeights(std::string_view text);

struct TensorChoice {
    GgmlType type = GgmlType::F16;
    std::uint64_t bytes = 0;
    double error = 0;         // the point's error (SensitivityPoint::error)
    double weightedError = 0; // error * the tensor's weight: its share of the objective
    bool pinned = false;
};

struct OptimizerResult {
    bool feasible = false; // false: even the smallest (or most precise) choice misses the target
    std::vector<TensorChoice> choices; // one per SensitivityTable row, same order
    std::uint64_t totalBytes = 0;  // chosen bytes + the table's fixedBytes and fileOverheadBytes
    std::uint64_t budgetBytes = 0; // Bytes/BitsPerWeight targets: the limit used
    double bitsPerWeight = 0;
    double objective = 0; // sum of weighted errors
    // Bytes/BitsPerWeight: no assignment within the budget has an objective below this
    // (LP relaxation). MaxError: no assignment meeting the error has fewer variable bytes
    // than lowerBound (then in bytes, fixed bytes included).
    double lowerBound = 0;
    bool exact = false; // the result is provably optimal (objective == lowerBound)
    int hullSteps = 0;  // hull increments taken by the Lagrangian phase
    int repairMoves = 0;
    int branchNodes = 0; // nodes of the final branch and bound (0: not needed)

    QuantPlan toPlan(const SensitivityTable& table) const;
};

// Precomputes each tensor's weights, Pareto front and lower convex hull once, so that a GUI
// slider can call solve() on every move (microseconds to a few ms for a 70B-sized table).
class PlanOptimizer {
public:
    // Keeps a reference to `table`, which must outlive the optimizer.
    PlanOptimizer(const SensitivityTable& table, OptimizerOptions options = {});

    OptimizerResult solve(const OptimizerTarget& target) const;
    // The weight of row i's error in the objective.
    double weight(std::size_t row) const { return m_rows[row].weight; }
    // Smallest and largest total bytes any assignment can have (fixed bytes and file overhead
    // included).
    std::uint64_t minBytes() const;
    std::uint64_t maxBytes() const;

private:
    struct Candidate {
        std::size_t point; // index into SensitivityRow::points
        std::uint64_t bytes;
        double cost; // weighted error
    };
    struct Row {
        double weight = 1;
        std::vector<Candidate> pareto; // bytes increasing, cost strictly decreasing
        std::vector<std::size_t> hull; // indices into pareto: the lower convex hull
        bool pinned = false;
    };
    // Bytes every assignment has: tensors outside the table and the file's own overhead.
    std::uint64_t baseBytes() const { return m_table.fixedBytes + m_table.fileOverheadBytes; }
    OptimizerResult solveBudget(std::uint64_t budget) const;
    // Improves `best` (cost `bestCost`) in place; true when the search finished, which
    // proves it optimal.
    bool branchAndBound(std::uint64_t budget, std::vector<std::size_t>& best, double& bestCost,
                        int& nodes) const;
    OptimizerResult solveMaxError(double maxError) const;
    OptimizerResult finish(const std::vector<std::size_t>& choice, double lowerBound,
                           std::uint64_t budget) const;

    const SensitivityTable& m_table;
    OptimizerOptions m_options;
    std::vector<Row> m_rows;
};

// One-shot form of PlanOptimizer.
OptimizerResult optimizePlan(const SensitivityTable& table, const OptimizerTarget& target,
                             const OptimizerOptions& options = {});

// How an existing plan (a preset's, say) scores on the table: its bytes (fixed bytes and the
// table's fileOverheadBytes included, as the optimizer counts them) and objective under
// `options`. Rows whose planned type has no point (not a
// candidate, or not planned) count their cheapest point's bytes and are listed in `missing`.
struct PlanScore {
    std::uint64_t totalBytes = 0;
    double objective = 0;
    std::vector<std::string> missing;
};
PlanScore scorePlan(const SensitivityTable& table, const QuantPlan& plan,
                    const OptimizerOptions& options = {});

} // namespace qs::core
