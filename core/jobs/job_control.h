#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace qs::core {

// Shared by a job and whoever may stop it. Algorithms poll isCancelled() between rows or
// blocks (cheap: one relaxed atomic load) and return ErrorCode::Cancelled.
class CancelToken {
public:
    void requestCancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Progress in real units ("tensors", "bytes", "tokens"). Implementations must be thread-safe:
// worker threads report concurrently. The GUI adapts this to Qt signals, the CLI to a
// progress line, tests to a recorder.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    // `done` out of `total` units of `unit`; `what` names the current item (a tensor name).
    virtual void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                          const std::string& what) = 0;
};

// A sink that ignores everything, for callers that do not watch progress.
class NullProgressSink final : public ProgressSink {
public:
    void progress(std::uint64_t, std::uint64_t, const std::string&, const std::string&) override {}
};

// Forwards progress to a callable; handy for tests and small adaptors.
class CallbackProgressSink final : public ProgressSink {
public:
    using Callback =
        std::function<void(std::uint64_t, std::uint64_t, const std::string&, const std::string&)>;
    explicit CallbackProgressSink(Callback cb)
        : m_callback(std::move(cb)) {}
    void progress(std::uint64_t done, std::uint64_t total, const std::string& unit,
                  const std::string& what) override;

private:
    Callback m_callback;
};

} // namespace qs::core
