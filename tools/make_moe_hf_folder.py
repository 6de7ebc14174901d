#!/usr/bin/env python3
"""Writes a Qwen3-30B-A3B-shaped Hugging Face folder for memory and speed measurements of the
MoE import (docs/benchmarks.md): Qwen3MoeForCausalLM, 2048 wide, 32/4 heads of 128, 128
experts of 768 with 8 used, one safetensors tensor per expert and linear (as the real
checkpoints store them), in shards of at most 500 MB, so expert stacks span files. A small
vocabulary keeps the embeddings out of the way. Values: N(0, 0.02) in F16, norms 1.

Usage:
    tools/make_moe_hf_folder.py OUTDIR [--layers N]

Python 3 standard library only; about 1.25 GB per layer.
"""
import argparse
import json
import os
import random
import struct

HIDDEN, EXPERTS, EXPERT_FFN, VOCAB = 2048, 128, 768, 1024
HEAD_DIM, HEADS, KV_HEADS = 128, 32, 4
SHARD_BYTES = 500_000_000


def tensor_list(layers):
    out = [("model.embed_tokens.weight", [VOCAB, HIDDEN])]
    for layer in range(layers):
        p = f"model.layers.{layer}."
        out += [
            (p + "self_attn.q_proj.weight", [HEADS * HEAD_DIM, HIDDEN]),
            (p + "self_attn.k_proj.weight", [KV_HEADS * HEAD_DIM, HIDDEN]),
            (p + "self_attn.v_proj.weight", [KV_HEADS * HEAD_DIM, HIDDEN]),
            (p + "self_attn.o_proj.weight", [HIDDEN, HEADS * HEAD_DIM]),
            (p + "self_attn.q_norm.weight", [HEAD_DIM]),
            (p + "self_attn.k_norm.weight", [HEAD_DIM]),
            (p + "input_layernorm.weight", [HIDDEN]),
            (p + "post_attention_layernorm.weight", [HIDDEN]),
            (p + "mlp.gate.weight", [EXPERTS, HIDDEN]),
        ]
        for e in range(EXPERTS):
            q = f"{p}mlp.experts.{e}."
            out += [
                (q + "gate_proj.weight", [EXPERT_FFN, HIDDEN]),
                (q + "up_proj.weight", [EXPERT_FFN, HIDDEN]),
                (q + "down_proj.weight", [HIDDEN, EXPERT_FFN]),
            ]
    out += [("model.norm.weight", [HIDDEN]), ("lm_head.weight", [VOCAB, HIDDEN])]
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--layers", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(1)
    # A pool of random halves, read from a random start for each tensor (fast, not constant).
    pool = struct.pack("<65536e", *[rng.gauss(0, 0.02) for _ in range(65536)])

    def values(count, norm):
        if norm:
            return struct.pack("<e", 1.0) * count
        start = rng.randrange(0, 65536) * 2
        data = bytearray()
        while len(data) < 2 * count:
            data += pool[start:] + pool[:start]
        return bytes(data[: 2 * count])

    shards, current, size = [], [], 0
    for name, shape in tensor_list(args.layers):
        count = 1
        for d in shape:
            count *= d
        if current and size + 2 * count > SHARD_BYTES:
            shards.append(current)
            current, size = [], 0
        current.append((name, shape, count))
        size += 2 * count
    shards.append(current)

    weight_map, total = {}, 0
    for i, shard in enumerate(shards):
        file_name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        header, offset = {}, 0
        for name, shape, count in shard:
            header[name] = {"dtype": "F16", "shape": shape, "data_offsets": [offset, offset + 2 * count]}
            offset += 2 * count
            weight_map[name] = file_name
        text = json.dumps(header).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        with open(os.path.join(args.outdir, file_name), "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for name, _, count in shard:
                f.write(values(count, name.endswith("norm.weight")))
        total += offset
    with open(os.path.join(args.outdir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    config = {
        "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe",
        "hidden_size": HIDDEN, "intermediate_size": 6144, "num_hidden_layers": args.layers,
        "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM,
        "num_experts": EXPERTS, "num_experts_per_tok": 8, "moe_intermediate_size": EXPERT_FFN,
        "norm_topk_prob": True, "vocab_size": VOCAB, "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0, "max_position_embeddings": 4096, "tie_word_embeddings": False,
    }
    with open(os.path.join(args.outdir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"{args.outdir}: {len(shards)} shards, {total} bytes")


if __name__ == "__main__":
    main()
