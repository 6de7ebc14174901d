#include "core/eval/logprob_file.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace qs::core {

namespace {

constexpr char kMagic[8] = {'_', 'l', 'o', 'g', 'i', 't', 's', '_'};

// Round to nearest as ggml's nearest_int does (ties to even through the float adder).
int nearestInt(float value) {
    return static_cast<int>(std::nearbyint(value));
}

} // namespace

double compressLogProbs(std::span<const float> logits, std::int32_t token, std::uint16_t* record) {
    const std::size_t n = logits.size();
    float maxLogit = logits[0];
    float minLogit = logits[0];
    for (std::size_t i = 1; i < n; ++i) {
        maxLogit = std::max(maxLogit, logits[i]);
        minLogit = std::min(minLogit, logits[i]);
    }
    minLogit = std::max(minLogit, maxLogit - 16);
    double sumExp = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sumExp += std::exp(logits[i] - maxLogit);
    }
    const float logSumExp = static_cast<float>(std::log(sumExp));
    const float minLogProb = minLogit - maxLogit - logSumExp;
    const float scale = (maxLogit - minLogit) / 65535.f;
    std::memcpy(record, &scale, sizeof(float));
    std::memcpy(record + 2, &minLogProb, sizeof(float));
    std::uint16_t* values = record + 4;
    if (scale != 0.0f) {
        const float invScale = 1 / scale;
        for (std::size_t i = 0; i < n; ++i) {
            values[i] =
                logits[i] > minLogit
                    ? static_cast<std::uint16_t>(nearestInt(invScale * (logits[i] - minLogit)))
                    : 0;
        }
    } else {
        std::fill(values, values + n, std::uint16_t{0});
    }
    if (n % 2 != 0) {
        values[n] = 0; // padding to an even count
    }
    return maxLogit + logSumExp - logits[static_cast<std::size_t>(token)];
}

Result<LogProbWriter> LogProbWriter::create(const std::string& path, const LogProbHeader& header) {
    LogProbWriter w;
    w.m_path = path;
    w.m_header = header;
    w.m_out.open(path + ".tmp", std::ios::binary | std::ios::trunc);
    if (!w.m_out) {
        return Error::fromErrno(errno, path + ".tmp", "create");
    }
    w.m_out.write(kMagic, sizeof(kMagic));
    w.m_out.write(reinterpret_cast<const char*>(&header.contextLength), 4);
    w.m_out.write(reinterpret_cast<const char*>(&header.vocab), 4);
    w.m_out.write(reinterpret_cast<const char*>(&header.chunks), 4);
    w.m_out.write(reinterpret_cast<const char*>(header.tokens.data()),
                  static_cast<std::streamsize>(header.tokens.size() * sizeof(std::int32_t)));
    if (!w.m_out) {
        return Error::fromErrno(errno, path + ".tmp", "write");
    }
    return w;
}

LogProbWriter::~LogProbWriter() {
    if (!m_committed && !m_path.empty()) {
        m_out.close();
        std::remove((m_path + ".tmp").c_str());
    }
}

Status LogProbWriter::writeRecords(std::span<const std::uint16_t> records) {
    m_out.write(reinterpret_cast<const char*>(records.data()),
                static_cast<std::streamsize>(records.size_bytes()));
    if (!m_out) {
        return Error::fromErrno(errno, m_path + ".tmp", "write");
    }
    return {};
}

Status LogProbWriter::commit() {
    m_out.close();
    if (!m_out) {
        return Error::fromErrno(errno, m_path + ".tmp", "close");
    }
    if (std::rename((m_path + ".tmp").c_str(), m_path.c_str()) != 0) {
        return Error::fromErrno(errno, m_path, "rename");
    }
    m_committed = true;
    return {};
}

Result<LogProbReader> LogProbReader::open(const std::string& path) {
    LogProbReader r;
    r.m_path = path;
    r.m_in.open(path, std::ios::binary);
    if (!r.m_in) {
        return Error::fromErrno(errno, path, "open");
    }
    char magic[8] = {};
    r.m_in.read(magic, 8);
    LogProbHeader& h = r.m_header;
    r.m_in.read(reinterpret_cast<char*>(&h.contextLength), 4);
    r.m_in.read(reinterpret_cast<char*>(&h.vocab), 4);
    r.m_in.read(reinterpret_cast<char*>(&h.chunks), 4);
    if (!r.m_in || std::memcmp(magic, kMagic, 8) != 0 || h.contextLength < 4 ||
        h.contextLength > (1u << 24) || h.vocab <= 0 || h.chunks < 0) {
        return makeError(ErrorCode::Format, path + ": not a llama-perplexity log-probability file");
    }
    h.tokens.resize(static_cast<std::size_t>(h.contextLength) * static_cast<std::size_t>(h.chunks));
    r.m_in.read(reinterpret_cast<char*>(h.tokens.data()),
                static_cast<std::streamsize>(h.tokens.size() * sizeof(std::int32_t)));
    if (!r.m_in) {
        return makeError(ErrorCode::Format, path + ": truncated token list");
    }
    return r;
}

Status LogProbReader::readChunk(std::vector<std::uint16_t>& records) {
    if (m_chunksRead >= m_header.chunks) {
        return makeError(ErrorCode::InvalidArgument, m_path + ": no more chunks");
    }
    records.resize(static_cast<std::size_t>(m_header.scoredPerChunk()) * m_header.recordValues());
    m_in.read(reinterpret_cast<char*>(records.data()),
              static_cast<std::streamsize>(records.size() * sizeof(std::uint16_t)));
    if (!m_in) {
        return makeError(ErrorCode::Format,
                         m_path + ": truncated at chunk " + std::to_string(m_chunksRead));
    }
    ++m_chunksRead;
    return {};
}

} // namespace qs::core
