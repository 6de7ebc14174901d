#include "hostile_corpus.h"

#include <cstring>
#include <functional>
#include <optional>

namespace {

// A little-endian byte builder for files that are wrong on purpose.
struct Bytes {
    std::vector<std::uint8_t> v;
    template <typename T>
    Bytes& put(T x) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&x);
        v.insert(v.end(), p, p + sizeof(T));
        return *this;
    }
    Bytes& raw(const std::string& s) {
        v.insert(v.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& str(const std::string& s) { return put<std::uint64_t>(s.size()).raw(s); }
    Bytes& zeros(std::size_t n) {
        v.insert(v.end(), n, 0);
        return *this;
    }
    Bytes& padTo(std::size_t a) { return zeros((a - v.size() % a) % a); }
};

struct Tensor {
    std::string name;
    std::vector<std::uint64_t> dims;
    std::uint32_t type = 0;
    std::uint64_t offset = 0;
};

// A GGUF with one string KV, a u32 alignment KV and the given tensors; hooks let a case
// replace any part. Data bytes are appended after the padded header.
struct GgufSpec {
    std::uint32_t magic = 0x46554747;
    std::uint32_t version = 3;
    std::optional<std::uint64_t> tensorCount;
    std::optional<std::uint64_t> kvCount;
    std::function<void(Bytes&)> kvs = [](Bytes& b) {
        b.str("general.architecture").put<std::uint32_t>(8).str("llama");
        b.str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(32);
    };
    std::uint64_t kvEntries = 2;
    std::vector<Tensor> tensors = {{"a.weight", {8, 2}, 0, 0}, {"b.weight", {8}, 0, 64}};
    std::size_t dataBytes = 96;
};

std::vector<std::uint8_t> buildGguf(const GgufSpec& s) {
    Bytes b;
    b.put(s.magic).put(s.version);
    b.put<std::uint64_t>(s.tensorCount.value_or(s.tensors.size()));
    b.put<std::uint64_t>(s.kvCount.value_or(s.kvEntries));
    s.kvs(b);
    for (const auto& t : s.tensors) {
        b.str(t.name).put<std::uint32_t>(static_cast<std::uint32_t>(t.dims.size()));
        for (auto d : t.dims) {
            b.put(d);
        }
        b.put(t.type).put(t.offset);
    }
    b.padTo(32).zeros(s.dataBytes);
    return b.v;
}

std::vector<std::uint8_t> truncate(std::vector<std::uint8_t> v, std::size_t n) {
    v.resize(std::min(n, v.size()));
    return v;
}

std::vector<std::uint8_t> safetensors(const std::string& header, std::size_t dataBytes,
                                      std::optional<std::uint64_t> length = std::nullopt) {
    Bytes b;
    b.put<std::uint64_t>(length.value_or(header.size())).raw(header).zeros(dataBytes);
    return b.v;
}

std::vector<std::uint8_t> llama2c(std::vector<std::int32_t> header, std::size_t floats) {
    Bytes b;
    for (auto x : header) {
        b.put(x);
    }
    b.zeros(floats * 4);
    return b.v;
}

} // namespace

std::vector<HostileCase> hostileCorpus() {
    std::vector<HostileCase> c;
    auto gguf = [&](std::string name, std::string expect, std::vector<std::uint8_t> bytes) {
        c.push_back({"gguf_" + name + ".gguf", "gguf", std::move(expect), std::move(bytes)});
    };
    auto withKv = [](std::function<void(Bytes&)> kv, std::uint64_t n = 1) {
        GgufSpec s;
        s.kvs = std::move(kv);
        s.kvEntries = n;
        return s;
    };
    const auto valid = buildGguf({});

    gguf("empty", "truncated", {});
    gguf("three_bytes", "truncated", {'G', 'G', 'U'});
    gguf("bad_magic", "bad magic", [] {
        GgufSpec s;
        s.magic = 0x46554748;
        return buildGguf(s);
    }());
    gguf("version_1", "v1", [] {
        GgufSpec s;
        s.version = 1;
        return buildGguf(s);
    }());
    gguf("version_big_endian", "endianness", [] {
        GgufSpec s;
        s.version = 0x03000000;
        return buildGguf(s);
    }());
    gguf("version_4", "version 4", [] {
        GgufSpec s;
        s.version = 4;
        return buildGguf(s);
    }());
    gguf("truncated_version", "truncated", truncate(valid, 6));
    gguf("truncated_tensor_count", "truncated", truncate(valid, 12));
    gguf("truncated_kv_count", "truncated", truncate(valid, 20));
    gguf("truncated_in_key", "truncated", truncate(valid, 30));
    gguf("truncated_in_value", "truncated", truncate(valid, 62));
    gguf("truncated_in_tensor_info", "truncated", truncate(valid, 140));
    gguf("truncated_data", "past the end", truncate(valid, valid.size() - 40));
    gguf("tensor_count_2p60", "tensor count", [] {
        GgufSpec s;
        s.tensorCount = 1ull << 60;
        return buildGguf(s);
    }());
    gguf("kv_count_2p60", "metadata count", [] {
        GgufSpec s;
        s.kvCount = 1ull << 60;
        return buildGguf(s);
    }());
    gguf("key_length_2p63", "past the end",
         buildGguf(withKv([](Bytes& b) { b.put<std::uint64_t>(1ull << 63); })));
    gguf("key_length_past_end", "past the end",
         buildGguf(withKv([](Bytes& b) { b.put<std::uint64_t>(100000); })));
    gguf("empty_key", "empty", buildGguf(withKv([](Bytes& b) {
             b.str("").put<std::uint32_t>(4).put<std::uint32_t>(1);
         })));
    gguf("key_invalid_utf8", "UTF-8", buildGguf(withKv([](Bytes& b) {
             b.str("general.\xC0\xAF").put<std::uint32_t>(4).put<std::uint32_t>(1);
         })));
    gguf("duplicate_key", "duplicate metadata key",
         buildGguf(withKv(
             [](Bytes& b) {
                 b.str("general.name").put<std::uint32_t>(8).str("x");
                 b.str("general.name").put<std::uint32_t>(8).str("y");
             },
             2)));
    gguf("value_type_13", "unknown value type", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(13).put<std::uint32_t>(0);
         })));
    gguf("bool_value_2", "neither 0 nor 1", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(7).put<std::uint8_t>(2);
         })));
    gguf("string_length_past_end", "past the end", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(8).put<std::uint64_t>(1ull << 40);
         })));
    gguf("array_type_unknown", "unknown array element type", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(9).put<std::uint32_t>(99).put<std::uint64_t>(1);
         })));
    gguf("array_count_2p61", "runs past the end", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(9).put<std::uint32_t>(4).put<std::uint64_t>(1ull
                                                                                         << 61);
         })));
    gguf("string_array_count_huge", "runs past the end", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(9).put<std::uint32_t>(8).put<std::uint64_t>(1ull
                                                                                         << 50);
         })));
    gguf("array_nested_100", "nested deeper", buildGguf(withKv([](Bytes& b) {
             b.str("x.y").put<std::uint32_t>(9);
             for (int i = 0; i < 100; ++i) {
                 b.put<std::uint32_t>(9).put<std::uint64_t>(1);
             }
             b.put<std::uint32_t>(4).put<std::uint64_t>(0);
         })));
    gguf("alignment_u64", "general.alignment", buildGguf(withKv([](Bytes& b) {
             b.str("general.alignment").put<std::uint32_t>(10).put<std::uint64_t>(32);
         })));
    gguf("alignment_zero", "general.alignment", buildGguf(withKv([](Bytes& b) {
             b.str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(0);
         })));
    gguf("alignment_48", "general.alignment", buildGguf(withKv([](Bytes& b) {
             b.str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(48);
         })));

    auto tensorCase = [&](std::string name, std::string expect,
                          std::function<void(GgufSpec&)> edit) {
        GgufSpec s;
        edit(s);
        gguf(std::move(name), std::move(expect), buildGguf(s));
    };
    tensorCase("name_64_bytes", "at most 63",
               [](GgufSpec& s) { s.tensors[0].name = std::string(64, 'n'); });
    tensorCase("name_invalid_utf8", "UTF-8", [](GgufSpec& s) { s.tensors[0].name = "a\xFF"; });
    tensorCase("duplicate_tensor", "duplicate tensor name",
               [](GgufSpec& s) { s.tensors[1].name = "a.weight"; });
    tensorCase("n_dims_5", "dimensions", [](GgufSpec& s) { s.tensors[0].dims = {1, 1, 1, 1, 1}; });
    tensorCase("dim_2p63", "overflow", [](GgufSpec& s) { s.tensors[0].dims = {1ull << 63, 1}; });
    tensorCase("dims_product_overflow", "overflow", [](GgufSpec& s) {
        s.tensors[0].dims = {1ull << 32, 1ull << 32};
    });
    tensorCase("bytes_overflow", "overflow", [](GgufSpec& s) {
        s.tensors[0].dims = {1ull << 31, 1ull << 31, 2};
    });
    tensorCase("type_removed_4", "type id 4", [](GgufSpec& s) { s.tensors[0].type = 4; });
    tensorCase("type_1000", "type id 1000", [](GgufSpec& s) { s.tensors[0].type = 1000; });
    tensorCase("q4_0_row_33", "block size", [](GgufSpec& s) {
        s.tensors[0] = {"q.weight", {33, 1}, 2, 0};
    });
    tensorCase("offset_misaligned", "expected 0", [](GgufSpec& s) { s.tensors[0].offset = 4; });
    tensorCase("offset_overlap", "expected 64", [](GgufSpec& s) { s.tensors[1].offset = 32; });
    tensorCase("offset_gap", "expected 64", [](GgufSpec& s) { s.tensors[1].offset = 128; });
    tensorCase("data_past_end", "past the end",
               [](GgufSpec& s) { s.tensors[1].dims = {1ull << 40}; });

    auto st = [&](std::string name, std::string expect, std::vector<std::uint8_t> bytes) {
        c.push_back(
            {"st_" + name + ".safetensors", "safetensors", std::move(expect), std::move(bytes)});
    };
    const std::string okEntry = R"("w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})";
    st("empty", "truncated", {});
    st("header_past_end", "exceeds", safetensors("{" + okEntry + "}", 16, 1000));
    st("header_2p63", "exceeds", safetensors("{" + okEntry + "}", 16, 1ull << 63));
    st("header_not_json", "not a JSON object", safetensors("{\"w\": [1, 2", 16));
    st("header_json_array", "not a JSON object", safetensors("[1,2,3]", 16));
    st("entry_no_dtype", "needs dtype",
       safetensors(R"({"w":{"shape":[2,2],"data_offsets":[0,16]}})", 16));
    st("unknown_dtype", "unknown dtype",
       safetensors(R"({"w":{"dtype":"F7","shape":[2,2],"data_offsets":[0,16]}})", 16));
    st("negative_dim", "negative",
       safetensors(R"({"w":{"dtype":"F32","shape":[-2,2],"data_offsets":[0,16]}})", 16));
    st("offsets_past_buffer", "outside",
       safetensors(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})", 8));
    st("offsets_disagree_shape", "need",
       safetensors(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}})", 16));
    st("offsets_reversed", "outside",
       safetensors(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}})", 16));
    st("overlap", "overlap",
       safetensors(
           R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
           24));
    st("shape_overflow", "overflow",
       safetensors(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}})",
                   16));
    st("offsets_not_numbers", "not integers",
       safetensors(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":["0",16]}})", 16));

    auto l2c = [&](std::string name, std::string expect, std::vector<std::uint8_t> bytes) {
        c.push_back({"l2c_" + name + ".bin", "llama2c", std::move(expect), std::move(bytes)});
    };
    l2c("negative_dim", "not plausible", llama2c({-64, 172, 5, 8, 4, 512, 512}, 0));
    l2c("zero_heads", "not plausible", llama2c({64, 172, 5, 0, 4, 512, 512}, 0));
    l2c("heads_not_dividing", "not plausible", llama2c({64, 172, 5, 8, 3, 512, 512}, 0));
    l2c("truncated_weights", "truncated", llama2c({64, 172, 5, 8, 4, 512, 512}, 1000));
    l2c("header_only_6", "truncated", truncate(llama2c({64, 172, 5, 8, 4, 512, 512}, 0), 24));

    auto tok = [&](std::string name, std::string expect, std::vector<std::uint8_t> bytes) {
        c.push_back({"tok_" + name + ".bin", "tokenizer", std::move(expect), std::move(bytes)});
    };
    tok("negative_length", "length -5",
        Bytes().put<std::int32_t>(7).put<float>(0).put<std::int32_t>(-5).v);
    tok("length_past_end", "past the end",
        Bytes().put<std::int32_t>(7).put<float>(0).put<std::int32_t>(1 << 30).raw("abc").v);
    tok("too_few_tokens", "truncated",
        Bytes().put<std::int32_t>(7).put<float>(0).put<std::int32_t>(1).raw("a").v);
    return c;
}
