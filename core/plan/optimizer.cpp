#include "core/plan/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace qs::core {
namespace {

constexpr int kMaxSwapRounds = 200;
// Branch and bound runs on tables up to this many tensors (a 7B model has ~226); beyond, the
// repair's gap is already a tiny fraction of the objective and the search would cost more
// than a slider move may take.
constexpr std::size_t kMaxBranchRows = 64;

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

// One hull step of one tensor: from hull[k] to hull[k + 1].
struct Step {
    std::size_t row;
    std::size_t to; // index into Row::pareto
    std::uint64_t bytes;
    double gain;       // cost removed
    double efficiency; // gain per byte
};

} // namespace

std::map<TensorRole, double> defaultRoleWeights() {
    return {
        {TensorRole::Output, 8.0}, {TensorRole::TokenEmbedding, 2.0}, {TensorRole::FfnDown, 1.2},
        {TensorRole::AttnV, 1.0},  {TensorRole::FfnGate, 0.7},        {TensorRole::AttnOutput, 0.6},
        {TensorRole::FfnUp, 0.5},  {TensorRole::AttnQ, 0.3},          {TensorRole::AttnK, 0.3}};
}

Result<std::map<TensorRole, double>> parseRoleWeights(std::string_view text) {
    std::map<TensorRole, double> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = trimmed(text.substr(start, comma - start));
        start = comma + 1;
        if (item.empty()) {
            continue;
        }
        const auto eq = item.find('=');
        if (eq == std::string::npos) {
            return makeError(ErrorCode::InvalidArgument,
                             "role weight '" + item + "' is not ROLE=WEIGHT");
        }
        const std::string roleName = trimmed(item.substr(0, eq));
        std::optional<TensorRole> role;
        for (int r = 0; r <= static_cast<int>(TensorRole::Other); ++r) {
            if (roleName == tensorRoleName(static_cast<TensorRole>(r))) {
                role = static_cast<TensorRole>(r);
            }
        }
        if (!role) {
            return makeError(ErrorCode::InvalidArgument, "unknown tensor role '" + roleName + "'");
        }
        const std::string number = trimmed(item.substr(eq + 1));
        char* end = nullptr;
        const double w = std::strtod(number.c_str(), &end);
        if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(w) || w < 0) {
            return makeError(ErrorCode::InvalidArgument,
                             "role weight '" + item + "' needs a number >= 0");
        }
        out[*role] = w;
    }
    return out;
}

QuantPlan OptimizerResult::toPlan(const SensitivityTable& table) const {
    QuantPlan plan;
    for (std::size_t i = 0; i < choices.size() && i < table.rows.size(); ++i) {
        plan.set(table.rows[i].name, choices[i].type);
    }
    return plan;
}

PlanOptimizer::PlanOptimizer(const SensitivityTable& table, OptimizerOptions options)
    : m_table(table)
    , m_options(std::move(options)) {
    double meanParameters = 0;
    for (const auto& r : table.rows) {
        meanParameters += static_cast<double>(r.parameters);
    }
    meanParameters = table.rows.empty() ? 1 : meanParameters / table.rows.size();
    m_rows.resize(table.rows.size());
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const SensitivityRow& src = table.rows[i];
        Row& row = m_rows[i];
        const auto role = m_options.roleWeights.find(src.role);
        row.weight = role == m_options.roleWeights.end() ? 1.0 : role->second;
        if (m_options.sizeWeighted && meanParameters > 0) {
            row.weight *= static_cast<double>(src.parameters) / meanParameters;
        }
        if (const auto w = m_options.tensorWeights.find(src.name);
            w != m_options.tensorWeights.end()) {
            row.weight *= w->second;
        }
        std::vector<Candidate> all;
        const auto pin = m_options.pinned.find(src.name);
        for (std::size_t p = 0; p < src.points.size(); ++p) {
            if (pin != m_options.pinned.end() && src.points[p].type != pin->second) {
                continue;
            }
            all.push_back({p, src.points[p].bytes, row.weight * src.points[p].error});
        }
        if (all.empty()) { // a pin to a type that is not a candidate: ignore the pin
            for (std::size_t p = 0; p < src.points.size(); ++p) {
                all.push_back({p, src.points[p].bytes, row.weight * src.points[p].error});
            }
        } else {
            row.pinned = pin != m_options.pinned.end();
        }
        std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
            return a.bytes != b.bytes ? a.bytes < b.bytes : a.cost < b.cost;
        });
        // Pareto front: a point is worth its bytes only if it lowers the cost.
        for (const Candidate& c : all) {
            if (row.pareto.empty() || c.cost < row.pareto.back().cost) {
                if (!row.pareto.empty() && row.pareto.back().bytes == c.bytes) {
                    row.pareto.back() = c;
                } else {
                    row.pareto.push_back(c);
                }
            }
        }
        // Lower convex hull (monotone chain): slopes strictly increase towards zero.
        for (std::size_t k = 0; k < row.pareto.size(); ++k) {
            while (row.hull.size() >= 2) {
                const Candidate& a = row.pareto[row.hull[row.hull.size() - 2]];
                const Candidate& b = row.pareto[row.hull.back()];
                const Candidate& c = row.pareto[k];
                // b is on or above the segment a-c: drop it.
                const double cross = (static_cast<double>(b.bytes) - static_cast<double>(a.bytes)) *
                                         (c.cost - a.cost) -
                                     (b.cost - a.cost) * (static_cast<double>(c.bytes) -
                                                          static_cast<double>(a.bytes));
                if (cross <= 0) {
                    row.hull.pop_back();
                } else {
                    break;
                }
            }
            row.hull.push_back(k);
        }
    }
}

std::uint64_t PlanOptimizer::minBytes() const {
    std::uint64_t total = baseBytes();
    for (const Row& r : m_rows) {
        total += r.pareto.empty() ? 0 : r.pareto.front().bytes;
    }
    return total;
}

std::uint64_t PlanOptimizer::maxBytes() const {
    std::uint64_t total = baseBytes();
    for (const Row& r : m_rows) {
        total += r.pareto.empty() ? 0 : r.pareto.back().bytes;
    }
    return total;
}

OptimizerResult PlanOptimizer::solve(const OptimizerTarget& target) const {
    switch (target.kind) {
    case OptimizerTarget::Kind::Bytes:
        return solveBudget(target.value <= 0 ? 0 : static_cast<std::uint64_t>(target.value));
    case OptimizerTarget::Kind::BitsPerWeight: {
        const double bytes =
            std::floor(target.value * static_cast<double>(m_table.totalParameters) / 8.0);
        return solveBudget(bytes <= 0 ? 0 : static_cast<std::uint64_t>(bytes));
    }
    case OptimizerTarget::Kind::MaxError:
        return solveMaxError(target.value);
    }
    return {};
}

OptimizerResult PlanOptimizer::finish(const std::vector<std::size_t>& choice, double lowerBound,
                                      std::uint64_t budget) const {
    OptimizerResult result;
    result.budgetBytes = budget;
    result.totalBytes = baseBytes();
    result.choices.resize(m_rows.size());
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        const Row& row = m_rows[i];
        if (row.pareto.empty()) {
            continue;
        }
        const Candidate& c = row.pareto[choice[i]];
        const SensitivityPoint& p = m_table.rows[i].points[c.point];
        result.choices[i] = {p.type, p.bytes, p.error, c.cost, row.pinned};
        result.totalBytes += p.bytes;
        result.objective += c.cost;
    }
    result.bitsPerWeight = m_table.bitsPerWeight(result.totalBytes);
    result.lowerBound = lowerBound;
    return result;
}

OptimizerResult PlanOptimizer::solveBudget(std::uint64_t budget) const {
    const std::size_t n = m_rows.size();
    std::vector<std::size_t> choice(n, 0); // index into pareto; hull[0] == pareto[0]
    std::uint64_t used = baseBytes();
    double cost = 0;
    for (const Row& r : m_rows) {
        if (!r.pareto.empty()) {
            used += r.pareto.front().bytes;
            cost += r.pareto.front().cost;
        }
    }
    if (used > budget) {
        OptimizerResult r = finish(choice, cost, budget);
        r.feasible = false;
        return r;
    }

    // Phase 1, Lagrangian relaxation: every hull step, best cost-per-byte first. Within a
    // tensor the steps come in hull order because the hull's slopes increase, so taking a
    // prefix of this order is the solution of the relaxation for every multiplier λ between
    // consecutive efficiencies, and it is exactly optimal at each such breakpoint.
    std::vector<Step> steps;
    for (std::size_t i = 0; i < n; ++i) {
        const Row& r = m_rows[i];
        for (std::size_t k = 0; k + 1 < r.hull.size(); ++k) {
            const Candidate& a = r.pareto[r.hull[k]];
            const Candidate& b = r.pareto[r.hull[k + 1]];
            const double gain = a.cost - b.cost;
            steps.push_back({i, r.hull[k + 1], b.bytes - a.bytes, gain,
                             gain / static_cast<double>(b.bytes - a.bytes)});
        }
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.efficiency > b.efficiency; });
    std::vector<std::size_t> hullPos(n, 0); // how many hull steps each row took
    double lowerBound = 0;
    bool stopped = false;
    int hullSteps = 0;
    for (const Step& s : steps) {
        const Row& r = m_rows[s.row];
        // Equal efficiencies may interleave a tensor's steps out of order; take them in order.
        if (r.hull[hullPos[s.row] + 1] != s.to) {
            continue;
        }
        if (used + s.bytes > budget) {
            // The LP relaxation takes this step fractionally: no integer solution can beat it.
            lowerBound = cost - s.efficiency * static_cast<double>(budget - used);
            stopped = true;
            break;
        }
        used += s.bytes;
        cost -= s.gain;
        choice[s.row] = s.to;
        ++hullPos[s.row];
        ++hullSteps;
    }
    if (!stopped) {
        lowerBound = cost; // every tensor at its most precise point: optimal
    }

    // Phase 2, knapsack repair with the bytes the hull solution left: single upgrades to any
    // Pareto point (not only hull points), largest cost reduction first...
    int moves = 0;
    if (stopped) {
        for (;;) {
            double bestGain = 0;
            std::size_t bestRow = n, bestTo = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const Row& r = m_rows[i];
                const Candidate& cur = r.pareto[choice[i]];
                for (std::size_t k = choice[i] + 1; k < r.pareto.size(); ++k) {
                    if (used + (r.pareto[k].bytes - cur.bytes) > budget) {
                        break; // pareto bytes increase
                    }
                    const double gain = cur.cost - r.pareto[k].cost;
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestRow = i;
                        bestTo = k;
                    }
                }
            }
            if (bestRow == n) {
                break;
            }
            const Row& r = m_rows[bestRow];
            used += r.pareto[bestTo].bytes - r.pareto[choice[bestRow]].bytes;
            cost -= bestGain;
            choice[bestRow] = bestTo;
            ++moves;
        }
        // ...then swaps: one tensor moves down, another up with the bytes freed. Upgrades
        // are sorted by extra bytes with the best gain of each prefix (and the best from a
        // different tensor), so each downgrade finds its partner by binary search.
        struct Move {
            std::uint64_t bytes;
            double gain;
            std::size_t row, to;
        };
        std::vector<Move> ups;
        std::vector<std::size_t> best1, best2; // prefix best, and best of another row
        for (int round = 0; round < kMaxSwapRounds; ++round) {
            ups.clear();
            for (std::size_t i = 0; i < n; ++i) {
                const Row& r = m_rows[i];
                const Candidate& cur = r.pareto[choice[i]];
                for (std::size_t k = choice[i] + 1; k < r.pareto.size(); ++k) {
                    ups.push_back(
                        {r.pareto[k].bytes - cur.bytes, cur.cost - r.pareto[k].cost, i, k});
                }
            }
            if (ups.empty()) {
                break;
            }
            std::sort(ups.begin(), ups.end(),
                      [](const Move& a, const Move& b) { return a.bytes < b.bytes; });
            best1.assign(ups.size(), 0);
            best2.assign(ups.size(), ups.size());
            for (std::size_t u = 0; u < ups.size(); ++u) {
                std::size_t b1 = u == 0 ? 0 : best1[u - 1];
                std::size_t b2 = u == 0 ? ups.size() : best2[u - 1];
                if (u > 0) {
                    if (ups[u].gain > ups[b1].gain) {
                        if (ups[u].row != ups[b1].row) {
                            b2 = b1;
                        }
                        b1 = u;
                    } else if (ups[u].row != ups[b1].row &&
                               (b2 == ups.size() || ups[u].gain > ups[b2].gain)) {
                        b2 = u;
                    }
                }
                best1[u] = b1;
                best2[u] = b2;
            }
            double bestNet = 1e-15 * std::max(1.0, std::abs(cost));
            std::size_t downRow = n, downTo = 0, upMove = ups.size();
            for (std::size_t i = 0; i < n; ++i) {
                const Row& r = m_rows[i];
                const Candidate& cur = r.pareto[choice[i]];
                for (std::size_t k = 0; k < choice[i]; ++k) {
                    const std::uint64_t freed = cur.bytes - r.pareto[k].bytes + (budget - used);
                    const double loss = r.pareto[k].cost - cur.cost;
                    // Last upgrade whose bytes fit in what is freed.
                    const auto it = std::upper_bound(
                        ups.begin(), ups.end(), freed,
                        [](std::uint64_t b, const Move& m) { return b < m.bytes; });
                    if (it == ups.begin()) {
                        continue;
                    }
                    const std::size_t last = static_cast<std::size_t>(it - ups.begin()) - 1;
                    std::size_t cand = best1[last];
                    if (ups[cand].row == i) {
                        cand = best2[last];
                    }
                    if (cand == ups.size()) {
                        continue;
                    }
                    const double net = ups[cand].gain - loss;
                    if (net > bestNet) {
                        bestNet = net;
                        downRow = i;
                        downTo = k;
                        upMove = cand;
                    }
                }
            }
            if (downRow == n) {
                break;
            }
            const Move& up = ups[upMove];
            const Row& rd = m_rows[downRow];
            const Row& ru = m_rows[up.row];
            used = used - (rd.pareto[choice[downRow]].bytes - rd.pareto[downTo].bytes) +
                   (ru.pareto[up.to].bytes - ru.pareto[choice[up.row]].bytes);
            cost -= bestNet;
            choice[downRow] = downTo;
            choice[up.row] = up.to;
            ++moves;
        }
    }
    // Summation order differs between the phases: equal up to rounding counts as equal.
    bool exact = !stopped || cost <= lowerBound + 1e-12 * std::abs(lowerBound);
    int nodes = 0;
    if (!exact && n <= kMaxBranchRows) {
        // Phase 3: a small branch and bound on the relaxation's fractional tensor closes the
        // remaining gap on small tables and proves optimality when it finishes.
        exact = branchAndBound(budget, choice, cost, nodes);
    }
    OptimizerResult result = finish(choice, lowerBound, budget);
    result.feasible = true;
    result.hullSteps = hullSteps;
    result.repairMoves = moves;
    result.branchNodes = nodes;
    result.exact = exact;
    if (exact) {
        result.lowerBound = result.objective;
    }
    return result;
}

bool PlanOptimizer::branchAndBound(std::uint64_t budget, std::vector<std::size_t>& best,
                                   double& bestCost, int& nodes) const {
    const std::size_t n = m_rows.size();
    // A node costs O(points log points); 4000 nodes of a 64-tensor table stay around 10 ms.
    constexpr int maxNodes = 4000;
    struct Node {
        std::vector<std::pair<std::size_t, std::size_t>> range; // allowed pareto indices
    };
    std::vector<Node> stack;
    Node root;
    for (const Row& r : m_rows) {
        root.range.emplace_back(0, r.pareto.size() - 1);
    }
    stack.push_back(std::move(root));
    std::vector<std::size_t> hull;
    std::vector<Step> steps;
    std::vector<std::size_t> choice(n), pos(n);
    std::vector<std::vector<std::size_t>> hulls(n);
    const double eps = 1e-12 * std::max(1.0, std::abs(bestCost));
    while (!stack.empty()) {
        if (nodes >= maxNodes) {
            return false;
        }
        ++nodes;
        const Node node = std::move(stack.back());
        stack.pop_back();
        std::uint64_t used = baseBytes();
        double cost = 0;
        steps.clear();
        for (std::size_t i = 0; i < n; ++i) {
            const Row& r = m_rows[i];
            const auto [lo, hi] = node.range[i];
            choice[i] = lo;
            used += r.pareto[lo].bytes;
            cost += r.pareto[lo].cost;
            hulls[i].clear();
            for (std::size_t k = lo; k <= hi; ++k) {
                while (hulls[i].size() >= 2) {
                    const Candidate& a = r.pareto[hulls[i][hulls[i].size() - 2]];
                    const Candidate& b = r.pareto[hulls[i].back()];
                    const Candidate& c = r.pareto[k];
                    const double cross =
                        (static_cast<double>(b.bytes) - static_cast<double>(a.bytes)) *
                            (c.cost - a.cost) -
                        (b.cost - a.cost) *
                            (static_cast<double>(c.bytes) - static_cast<double>(a.bytes));
                    if (cross > 0) {
                        break;
                    }
                    hulls[i].pop_back();
                }
                hulls[i].push_back(k);
            }
            for (std::size_t k = 0; k + 1 < hulls[i].size(); ++k) {
                const Candidate& a = r.pareto[hulls[i][k]];
                const Candidate& b = r.pareto[hulls[i][k + 1]];
                steps.push_back({i, hulls[i][k + 1], b.bytes - a.bytes, a.cost - b.cost,
                                 (a.cost - b.cost) / static_cast<double>(b.bytes - a.bytes)});
            }
            pos[i] = 0;
        }
        if (used > budget) {
            continue; // no assignment in this node fits
        }
        std::stable_sort(steps.begin(), steps.end(),
                         [](const Step& a, const Step& b) { return a.efficiency > b.efficiency; });
        double bound = cost;
        std::size_t fracRow = n;
        for (const Step& s : steps) {
            if (hulls[s.row][pos[s.row] + 1] != s.to) {
                continue;
            }
            if (used + s.bytes > budget) {
                bound = cost - s.efficiency * static_cast<double>(budget - used);
                fracRow = s.row;
                break;
            }
            used += s.bytes;
            cost -= s.gain;
            choice[s.row] = s.to;
            ++pos[s.row];
        }
        if (fracRow == n) {
            bound = cost; // every step fitted: the relaxation is integral
        }
        if (bound >= bestCost - eps) {
            continue; // cannot beat the incumbent
        }
        // The node's integer solution, improved by single upgrades within its ranges.
        for (bool improved = true; improved && fracRow != n;) {
            improved = false;
            double gainBest = 0;
            std::size_t rowBest = n, toBest = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const Row& r = m_rows[i];
                for (std::size_t k = choice[i] + 1; k <= node.range[i].second; ++k) {
                    if (used + (r.pareto[k].bytes - r.pareto[choice[i]].bytes) > budget) {
                        break;
                    }
                    const double gain = r.pareto[choice[i]].cost - r.pareto[k].cost;
                    if (gain > gainBest) {
                        gainBest = gain;
                        rowBest = i;
                        toBest = k;
                    }
                }
            }
            if (rowBest != n) {
                used += m_rows[rowBest].pareto[toBest].bytes -
                        m_rows[rowBest].pareto[choice[rowBest]].bytes;
                cost -= gainBest;
                choice[rowBest] = toBest;
                improved = true;
            }
        }
        if (cost < bestCost - eps) {
            bestCost = cost;
            best = choice;
        }
        if (fracRow == n) {
            continue; // the relaxation is integral here: nothing to branch on
        }
        // Branch on the fractional tensor: stay at or below its hull point, or go above it.
        const std::size_t at = hulls[fracRow][pos[fracRow]];
        Node down = node, up = node;
        down.range[fracRow].second = at;
        up.range[fracRow].first = at + 1;
        stack.push_back(std::move(down));
        stack.push_back(std::move(up));
    }
    return true;
}

OptimizerResult PlanOptimizer::solveMaxError(double maxError) const {
    // The smallest bytes whose best objective meets the error. The budget solver's objective
    // falls as the budget grows, so bisect on the budget between the LP bound and the hull
    // walk's first feasible point.
    const std::uint64_t lo0 = minBytes();
    const std::uint64_t hi0 = maxBytes();
    OptimizerResult best = solveBudget(hi0);
    if (best.objective > maxError) {
        best.feasible = false;
        best.lowerBound = static_cast<double>(hi0);
        return best;
    }
    std::uint64_t lo = lo0, hi = hi0; // objective(hi) <= maxError
    OptimizerResult atLo = solveBudget(lo);
    if (atLo.objective <= maxError) {
        atLo.feasible = true;
        atLo.lowerBound = static_cast<double>(lo);
        atLo.exact = true;
        return atLo;
    }
    while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        OptimizerResult r = solveBudget(mid);
        if (r.objective <= maxError) {
            hi = mid;
            best = std::move(r);
        } else {
            lo = mid;
        }
    }
    // Certified bound: walk the hull steps until the LP relaxation reaches maxError.
    const std::size_t n = m_rows.size();
    std::vector<Step> steps;
    double cost = 0;
    double bytes = static_cast<double>(lo0);
    for (std::size_t i = 0; i < n; ++i) {
        const Row& r = m_rows[i];
        if (!r.pareto.empty()) {
            cost += r.pareto.front().cost;
        }
        for (std::size_t k = 0; k + 1 < r.hull.size(); ++k) {
            const Candidate& a = r.pareto[r.hull[k]];
            const Candidate& b = r.pareto[r.hull[k + 1]];
            steps.push_back({i, r.hull[k + 1], b.bytes - a.bytes, a.cost - b.cost,
                             (a.cost - b.cost) / static_cast<double>(b.bytes - a.bytes)});
        }
    }
    std::stable_sort(steps.begin(), steps.end(),
                     [](const Step& a, const Step& b) { return a.efficiency > b.efficiency; });
    for (const Step& s : steps) {
        if (cost <= maxError) {
            break;
        }
        if (cost - s.gain <= maxError) {
            bytes += (cost - maxError) / s.efficiency;
            cost = maxError;
            break;
        }
        cost -= s.gain;
        bytes += static_cast<double>(s.bytes);
    }
    best.feasible = true;
    best.budgetBytes = best.totalBytes;
    best.lowerBound = std::ceil(bytes - 1e-9);
    best.exact = static_cast<double>(best.totalBytes) <= best.lowerBound;
    return best;
}

OptimizerResult optimizePlan(const SensitivityTable& table, const OptimizerTarget& target,
                             const OptimizerOptions& options) {
    return PlanOptimizer(table, options).solve(target);
}

PlanScore scorePlan(const SensitivityTable& table, const QuantPlan& plan,
                    const OptimizerOptions& options) {
    PlanOptimizer optimizer(table, options);
    PlanScore score;
    score.totalBytes = table.fixedBytes + table.fileOverheadBytes;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const SensitivityRow& row = table.rows[i];
        const auto type = plan.typeOf(row.name);
        const SensitivityPoint* p = type ? row.find(*type) : nullptr;
        if (!p) {
            score.missing.push_back(row.name);
            p = row.points.empty() ? nullptr : &row.points.front();
        }
        if (p) {
            score.totalBytes += p->bytes;
            score.objective += optimizer.weight(i) * p->error;
        }
    }
    return score;
}

} // namespace qs::core
