<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="15"/>
        <source>Formats:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="21"/>
        <source>Importance matrix:</source>
        <translation>重要性矩阵：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="25"/>
        <source>none (optional; llama-imatrix .gguf or .dat)</source>
        <translation>无（可选；llama-imatrix .gguf 或 .dat）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="26"/>
        <location filename="../ui/dialogs/export_dialog.ui" line="35"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="30"/>
        <source>Output file:</source>
        <translation>输出文件：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="39"/>
        <source>Model name:</source>
        <translation>模型名称：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="42"/>
        <source>general.name (unchanged when empty)</source>
        <translation>general.name（留空则不变）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="45"/>
        <source>Author:</source>
        <translation>作者：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="48"/>
        <source>general.author (optional)</source>
        <translation>general.author（可选）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="9"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="15"/>
        <source>Export as:</source>
        <translation>导出为：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="62"/>
        <source>Bits:</source>
        <translation>位数：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="68"/>
        <source>Group size:</source>
        <translation>分组大小：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="74"/>
        <source>Options:</source>
        <translation>选项：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="78"/>
        <source>Act-order (desc_act)</source>
        <translation>激活顺序 (desc_act)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="78"/>
        <source>Quantize columns by descending Hessian diagonal (writes g_idx)</source>
        <translation>按 Hessian 对角线降序量化各列（写入 g_idx）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="79"/>
        <source>Symmetric</source>
        <translation>对称</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="79"/>
        <source>Zero point fixed at the middle of the range; unchecked: a zero point per group</source>
        <translation>零点固定在范围中间；未勾选：每组一个零点</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="83"/>
        <source>Calibration text:</source>
        <translation>校准文本：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="92"/>
        <source>Samples:</source>
        <translation>样本数：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="95"/>
        <source>Calibration segments (nsamples)</source>
        <translation>校准片段数 (nsamples)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="98"/>
        <source>Tokens per sample:</source>
        <translation>每个样本的词元数：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="101"/>
        <source>Tokens per segment (seqlen), at most the model&apos;s context</source>
        <translation>每个片段的词元数 (seqlen)，最多为模型的上下文长度</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="104"/>
        <source>Damping:</source>
        <translation>阻尼：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="107"/>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="107"/>
        <source>Added to the Hessian diagonal, in percent of its mean</source>
        <translation>加到 Hessian 对角线上，以其均值的百分比表示</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="110"/>
        <source>Checkpoint format:</source>
        <translation>检查点格式：</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/windows/main_window.ui" line="9"/>
        <source>Quantscope</source>
        <translation>Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="30"/>
        <source>No model open. Use File → Open to load a GGUF, safetensors or llama2.c model.</source>
        <translation>未打开模型。请用“文件 → 打开”加载 GGUF、safetensors 或 llama2.c 模型。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="57"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="63"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="74"/>
        <source>&amp;Quantize</source>
        <translation>量化(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="81"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="86"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="98"/>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="101"/>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="106"/>
        <source>Open Hugging Face &amp;Folder…</source>
        <translation>打开 Hugging Face 文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="109"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="114"/>
        <source>&amp;Run Plan</source>
        <translation>运行方案(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="117"/>
        <source>Quantize every tensor with the plan&apos;s format and measure its error against the source</source>
        <translation>按方案的格式量化每个张量，并测量其相对原始权重的误差</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="120"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="125"/>
        <source>&amp;Cancel Run</source>
        <translation>取消运行(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="128"/>
        <source>Ctrl+.</source>
        <translation>Ctrl+.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="133"/>
        <source>&amp;Export (GGUF, GPTQ, AWQ)…</source>
        <translation>导出（GGUF、GPTQ、AWQ）(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="136"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="141"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="144"/>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="149"/>
        <source>&amp;About Quantscope</source>
        <translation>关于 Quantscope(&amp;A)</translation>
    </message>
</context>
<context>
    <name>qs::ui::CompareView</name>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="66"/>
        <source>Measure tokens/sec</source>
        <translation>测量 token/秒</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="67"/>
        <source>&amp;Compare</source>
        <translation>比较(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="68"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="69"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="92"/>
        <location filename="../ui/compare/compare_view.cpp" line="229"/>
        <source>Current plan</source>
        <translation>当前方案</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="95"/>
        <source>The plan being edited, compared after the presets when it differs from the stored model</source>
        <translation>正在编辑的方案；若与存储的模型不同，则在预设之后参与比较</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="114"/>
        <source>Choose the evaluation text</source>
        <translation>选择评估文本</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="116"/>
        <source>Plain-text file the perplexity and KL divergence are measured on</source>
        <translation>用于测量困惑度和 KL 散度的纯文本文件</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="119"/>
        <source>Evaluation Text</source>
        <translation>评估文本</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="120"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>文本文件 (*.txt *.raw);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="127"/>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="128"/>
        <source>Context length of each evaluated chunk</source>
        <translation>每个评估分块的上下文长度</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="131"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="132"/>
        <source>Evaluate at most this many chunks of the text</source>
        <translation>最多评估文本的这么多个分块</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="135"/>
        <source>Also measure prompt processing (pp) and generation (tg) speed of each variant</source>
        <translation>同时测量每个变体的提示处理 (pp) 与生成 (tg) 速度</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="141"/>
        <source>Variants</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="148"/>
        <source>Text:</source>
        <translation>文本：</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="149"/>
        <source>Context:</source>
        <translation>上下文：</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="150"/>
        <source>Chunks:</source>
        <translation>分块数：</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="176"/>
        <source>Size vs KLD</source>
        <translation>大小 vs KLD</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="177"/>
        <source>Size vs PPL</source>
        <translation>大小 vs PPL</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="178"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="200"/>
        <source>Per-layer error</source>
        <translation>逐层误差</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="296"/>
        <source>A comparison is already running.</source>
        <translation>已有比较正在运行。</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="300"/>
        <source>Open a model first.</source>
        <translation>请先打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="310"/>
        <source>Check at least one variant to compare.</source>
        <translation>请至少勾选一个要比较的变体。</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="316"/>
        <source>The evaluation text %1 does not exist.</source>
        <translation>评估文本 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="355"/>
        <source>Compare variants</source>
        <translation>比较变体</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="380"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="429"/>
        <source>Finishing…</source>
        <translation>正在完成…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="433"/>
        <source>reference</source>
        <translation>参考</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="434"/>
        <source>variant %1/%2: %3</source>
        <translation>变体 %1/%2：%3</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/compare/compare_view.cpp" line="439"/>
        <source>Compared %n variant(s) on %1.</source>
        <translation>
            <numerusform>已在 %1 上比较 %n 个变体。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="535"/>
        <source>CPU (fused kernels)</source>
        <translation>CPU（融合内核）</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="440"/>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="453"/>
        <source>Export Comparison</source>
        <translation>导出比较结果</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="455"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="461"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="463"/>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="114"/>
        <source>Presets to quantize and evaluate, in this order, then the files and folders added below</source>
        <translation>按此顺序量化并评估的预设，之后是下方添加的文件和文件夹</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="118"/>
        <source>Add file or folder…</source>
        <translation>添加文件或文件夹…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="119"/>
        <source>Compare an existing model too: a GGUF file made elsewhere or a GPTQ/AWQ checkpoint folder</source>
        <translation>同时比较已有模型：在别处生成的 GGUF 文件或 GPTQ/AWQ 检查点文件夹</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="124"/>
        <source>GGUF file…</source>
        <translation>GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="125"/>
        <source>Checkpoint folder (GPTQ/AWQ, Hugging Face)…</source>
        <translation>检查点文件夹（GPTQ/AWQ、Hugging Face）…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="280"/>
        <source>Evaluated as it is: %1</source>
        <translation>按原样评估：%1</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="300"/>
        <source>Checkpoint Folder</source>
        <translation>检查点文件夹</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="301"/>
        <source>Model File</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="302"/>
        <source>GGUF files (*.gguf);;All files (*)</source>
        <translation>GGUF 文件 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>qs::ui::ComparisonPlot</name>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="27"/>
        <source>Size (GiB)</source>
        <translation>大小 (GiB)</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="106"/>
        <source>Mean KL divergence</source>
        <translation>平均 KL 散度</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="107"/>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="112"/>
        <source>Pareto front</source>
        <translation>帕累托前沿</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="175"/>
        <source>%1
%2 GiB, %3 bpw
PPL %4 ± %5
KLD %6</source>
        <translation>%1
%2 GiB，%3 bpw
PPL %4 ± %5
KLD %6</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="188"/>
        <source>Size versus KLD</source>
        <translation>大小对 KLD</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="189"/>
        <source>Size versus perplexity</source>
        <translation>大小对困惑度</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="322"/>
        <source>Logarithmic scale</source>
        <translation>对数刻度</translation>
    </message>
</context>
<context>
    <name>qs::ui::ComparisonTableModel</name>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="68"/>
        <source>The input model: the reference for KLD, top-1 and speed ratios</source>
        <translation>输入模型：KLD、top-1 与速度比的参考</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="83"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="89"/>
        <source>%1 (reference)</source>
        <translation>%1（参考）</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="143"/>
        <source>Bits per weight over all tensors</source>
        <translation>所有张量的每权重位数</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="145"/>
        <source>Perplexity on the text, with its standard error</source>
        <translation>文本上的困惑度及其标准误差</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="147"/>
        <source>Perplexity minus the reference&apos;s</source>
        <translation>困惑度减去参考的困惑度</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="149"/>
        <source>Mean KL divergence of the token distribution against the reference</source>
        <translation>相对参考的 token 分布平均 KL 散度</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="151"/>
        <source>How often the most likely token matches the reference&apos;s</source>
        <translation>最可能的 token 与参考一致的频率</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="153"/>
        <source>Prompt processing throughput</source>
        <translation>提示处理吞吐量</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="155"/>
        <source>Text generation throughput</source>
        <translation>文本生成吞吐量</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="158"/>
        <source>Throughput relative to the reference</source>
        <translation>相对参考的吞吐量</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="168"/>
        <source>Variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="170"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="172"/>
        <source>BPW</source>
        <translation>BPW</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="174"/>
        <source>PPL ± err</source>
        <translation>PPL ± 误差</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="176"/>
        <source>ΔPPL</source>
        <translation>ΔPPL</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="178"/>
        <source>Mean KLD</source>
        <translation>平均 KLD</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="180"/>
        <source>Top-1 %</source>
        <translation>Top-1 %</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="182"/>
        <source>pp tok/s</source>
        <translation>pp token/秒</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="184"/>
        <source>tg tok/s</source>
        <translation>tg token/秒</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="186"/>
        <source>pp ratio</source>
        <translation>pp 比率</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="188"/>
        <source>tg ratio</source>
        <translation>tg 比率</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="73"/>
        <source>Measured %1; shown as 0, the reference&apos;s own value</source>
        <translation>实测 %1；显示为 0，即参考自身的值</translation>
    </message>
</context>
<context>
    <name>qs::ui::ErrorPlot</name>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="16"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="89"/>
        <source>Relative RMSE</source>
        <translation>相对 RMSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="91"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="93"/>
        <source>1 − cosine similarity</source>
        <translation>1 − 余弦相似度</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="95"/>
        <source>Importance-weighted MSE</source>
        <translation>重要性加权 MSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="115"/>
        <source>FP16 baseline</source>
        <translation>FP16 基线</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="229"/>
        <source>Whole layer</source>
        <translation>整层</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="280"/>
        <source>global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="280"/>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="282"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="283"/>
        <source>%1: %2 tensors, worst %3</source>
        <translation>%1：%2 个张量，最差 %3</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="287"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="289"/>
        <source>cosine: %1</source>
        <translation>余弦：%1</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="295"/>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="304"/>
        <source>Group by role</source>
        <translation>按角色分组</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="309"/>
        <source>Logarithmic scale</source>
        <translation>对数刻度</translation>
    </message>
</context>
<context>
    <name>qs::ui::ExportDialog</name>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="32"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="34"/>
        <source>&amp;Cancel export</source>
        <translation>取消导出(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="43"/>
        <source>Current plan</source>
        <translation>当前方案</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="47"/>
        <source>Preset %1</source>
        <translation>预设 %1</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="58"/>
        <source>Export GGUF</source>
        <translation>导出 GGUF</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="58"/>
        <source>GGUF files (*.gguf)</source>
        <translation>GGUF 文件 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="65"/>
        <source>Importance Matrix</source>
        <translation>重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="66"/>
        <source>Importance matrices (*.gguf *.dat)</source>
        <translation>重要性矩阵 (*.gguf *.dat)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="82"/>
        <source>Writing %1 (%2 of %3 tensors)</source>
        <translation>正在写入 %1（%2/%3 个张量）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="130"/>
        <source>Expected size: %1 (%2 bits per weight)</source>
        <translation>预计大小：%1（每权重 %2 位）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="142"/>
        <source>Choose an output file.</source>
        <translation>请选择输出文件。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="148"/>
        <source>The output would overwrite the model being read: choose another file.</source>
        <translation>输出会覆盖正在读取的模型：请选择其他文件。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="155"/>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="159"/>
        <source>Replace file?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="160"/>
        <source>%1 exists. Replace it?</source>
        <translation>%1 已存在。要替换吗？</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="194"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="223"/>
        <source>Exported %1 (%2).</source>
        <translation>已导出 %1（%2）。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="228"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="65"/>
        <source>&amp;Open exported model</source>
        <translation>打开导出的模型(&amp;O)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="84"/>
        <source>GGUF file (llama.cpp)</source>
        <translation>GGUF 文件 (llama.cpp)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="85"/>
        <source>GPTQ checkpoint folder (calibrated)</source>
        <translation>GPTQ 检查点文件夹（校准）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="86"/>
        <source>AWQ checkpoint folder (calibrated, 4-bit)</source>
        <translation>AWQ 检查点文件夹（校准，4 位）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="94"/>
        <source>one per row (-1)</source>
        <translation>每行一组 (-1)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="96"/>
        <source>gptq (AutoGPTQ v1)</source>
        <translation>gptq (AutoGPTQ v1)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="97"/>
        <source>gptq_v2</source>
        <translation>gptq_v2</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="114"/>
        <source>Calibration Text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="115"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>文本文件 (*.txt *.raw);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="123"/>
        <source>Output Folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="158"/>
        <source>Quantizing %1 (%2 of %3 linears)</source>
        <translation>正在量化 %1（%3 个线性层中的第 %2 个）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="161"/>
        <source>Writing %1 (%2 of %3 %4)</source>
        <translation>正在写入 %1（%2/%3 %4）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="195"/>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="205"/>
        <source>Export GPTQ</source>
        <translation>导出 GPTQ</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="205"/>
        <source>Export AWQ</source>
        <translation>导出 AWQ</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="254"/>
        <source>Expected size: %1 (%2 bits per weight; other tensors in F16)</source>
        <translation>预计大小：%1（每个权重 %2 位；其余张量为 F16）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="361"/>
        <source>Choose an output folder.</source>
        <translation>请选择输出文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="365"/>
        <source>%1 is a file: choose a folder.</source>
        <translation>%1 是文件：请选择文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="370"/>
        <source>The output would overwrite the model being read: choose another folder.</source>
        <translation>输出会覆盖正在读取的模型：请选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="398"/>
        <source>The calibration text %1 does not exist.</source>
        <translation>校准文本 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="405"/>
        <source>Replace folder?</source>
        <translation>替换文件夹？</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="406"/>
        <source>The folder %1 is not empty. Replace it and everything in it once the export is complete?</source>
        <translation>文件夹 %1 不为空。导出完成后替换该文件夹及其全部内容？</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="423"/>
        <source>AWQ export</source>
        <translation>AWQ 导出</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="423"/>
        <source>GPTQ export</source>
        <translation>GPTQ 导出</translation>
    </message>
</context>
<context>
    <name>qs::ui::LogDock</name>
    <message>
        <location filename="../ui/widgets/log_dock.cpp" line="76"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>qs::ui::MainWindow</name>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="70"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="71"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="73"/>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="74"/>
        <source>Heads / KV heads</source>
        <translation>头数 / KV 头数</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="76"/>
        <source>Embedding / FFN</source>
        <translation>嵌入 / FFN</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="78"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="79"/>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="80"/>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="82"/>
        <source>Bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="116"/>
        <source>&amp;Plan</source>
        <translation>方案(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="130"/>
        <source>&amp;Results</source>
        <translation>结果(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="140"/>
        <source>&amp;Error</source>
        <translation>误差(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="143"/>
        <source>&amp;Memory</source>
        <translation>内存(&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="158"/>
        <source>C&amp;ompare</source>
        <translation>比较(&amp;O)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="162"/>
        <source>Comparison stopped: %1</source>
        <translation>比较已停止：%1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="261"/>
        <source>Still opening %1</source>
        <translation>仍在打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="264"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="301"/>
        <source>%1 — Quantscope</source>
        <translation>%1 — Quantscope</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="303"/>
        <source>Opened %1: %n tensor(s)</source>
        <translation>
            <numerusform>已打开 %1：%n 个张量</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="318"/>
        <source>Cannot create a scratch folder: %1</source>
        <translation>无法创建临时文件夹：%1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="342"/>
        <source>Run plan</source>
        <translation>运行方案</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="360"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="361"/>
        <source>Device used to dequantize during runs</source>
        <translation>运行时用于反量化的设备</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="398"/>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="404"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="414"/>
        <source>, about %1 s left</source>
        <translation>，约剩 %1 秒</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="416"/>
        <source>%1/%2 tensors%3 — %4</source>
        <translation>%1/%2 个张量%3 — %4</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="428"/>
        <source>Run finished: %n tensor(s) in %1 s</source>
        <translation>
            <numerusform>运行完成：%n 个张量，用时 %1 秒</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="434"/>
        <source>Run stopped: %1</source>
        <translation>运行已停止：%1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="445"/>
        <source>Open failed</source>
        <translation>打开失败</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="447"/>
        <source>&lt;b&gt;Cannot open %1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>&lt;b&gt;无法打开 %1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="453"/>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="454"/>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>模型 (*.gguf *.safetensors *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="462"/>
        <source>Open Hugging Face Model Folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="506"/>
        <source>About Quantscope</source>
        <translation>关于 Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="507"/>
        <source>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;A workbench for quantizing large language models: per-layer formats, error against FP16, GGUF and GPTQ export.</source>
        <translation>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;用于量化大语言模型的工作台：逐层格式、相对 FP16 的误差、GGUF 与 GPTQ 导出。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="529"/>
        <source>Load &amp;Plan…</source>
        <translation>加载方案(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="531"/>
        <source>&amp;Save Plan…</source>
        <translation>保存方案(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="534"/>
        <source>Open Sessio&amp;n…</source>
        <translation>打开会话(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="536"/>
        <source>Save Session &amp;As…</source>
        <translation>会话另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="539"/>
        <source>Load &amp;Importance Matrix…</source>
        <translation>加载重要性矩阵(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="541"/>
        <source>&amp;Collect Importance Matrix…</source>
        <translation>收集重要性矩阵(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="543"/>
        <source>Cancel Importance Matrix</source>
        <translation>取消重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="553"/>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="561"/>
        <source>&amp;Compare Variants</source>
        <translation>比较变体(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="564"/>
        <source>Quantize the checked presets and evaluate each against the model</source>
        <translation>量化勾选的预设，并逐一与模型对比评估</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="568"/>
        <source>Cancel Co&amp;mparison</source>
        <translation>取消比较(&amp;M)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="575"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="578"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="588"/>
        <location filename="../ui/windows/main_window.cpp" line="812"/>
        <source>Importance matrix: %1/%2 %3</source>
        <translation>重要性矩阵：%1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="627"/>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="640"/>
        <source>Set format of %1</source>
        <translation>设置 %1 的格式</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="643"/>
        <source>This tensor keeps its stored type</source>
        <translation>此张量保持其存储类型</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="653"/>
        <source>%1 (%2 bpw, blocks of %3)</source>
        <translation>%1（%2 bpw，块大小 %3）</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="668"/>
        <source>No model is open.</source>
        <translation>未打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="681"/>
        <source>Saved the plan to %1</source>
        <translation>方案已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="688"/>
        <source>Open a model before loading a plan.</source>
        <translation>加载方案前请先打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="701"/>
        <source>Load plan %1</source>
        <translation>加载方案 %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="703"/>
        <source>Applied %n tensor type(s).</source>
        <translation>
            <numerusform>已应用 %n 个张量类型。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="705"/>
        <source>%n planned tensor(s) are not in this model: %1</source>
        <translation>
            <numerusform>%n 个方案中的张量不在此模型中：%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="710"/>
        <source>%n tensor(s) cannot take the planned type: %1</source>
        <translation>
            <numerusform>%n 个张量无法使用方案中的类型：%1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="745"/>
        <source>Saved the session to %1</source>
        <translation>会话已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="759"/>
        <source>%1 names no model.</source>
        <translation>%1 未指定模型。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="775"/>
        <source>Load session</source>
        <translation>加载会话</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="797"/>
        <source>Loaded the session %1</source>
        <translation>已加载会话 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="803"/>
        <source>An importance matrix job is already running.</source>
        <translation>已有重要性矩阵任务正在运行。</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="819"/>
        <source>Loaded the importance matrix %1</source>
        <translation>已加载重要性矩阵 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="823"/>
        <location filename="../ui/windows/main_window.cpp" line="864"/>
        <source>Importance matrix failed: %1</source>
        <translation>重要性矩阵失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="827"/>
        <source>Load importance matrix</source>
        <translation>加载重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="853"/>
        <source>Collecting the importance matrix: %1/%2 %3</source>
        <translation>正在收集重要性矩阵：%1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="860"/>
        <source>Collected the importance matrix %1</source>
        <translation>已收集重要性矩阵 %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="868"/>
        <source>Collect importance matrix</source>
        <translation>收集重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="911"/>
        <source>Importance matrix: none</source>
        <translation>重要性矩阵：无</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="912"/>
        <source>File → Load Importance Matrix, or collect one on a text</source>
        <translation>文件 → 加载重要性矩阵，或在文本上收集一个</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="915"/>
        <source>Importance matrix: &lt;b&gt;%1&lt;/b&gt; (%n tensor(s), %2 chunk(s))</source>
        <translation>
            <numerusform>重要性矩阵：&lt;b&gt;%1&lt;/b&gt;（%n 个张量，%2 个分块）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="924"/>
        <location filename="../ui/windows/main_window.cpp" line="931"/>
        <location filename="../ui/windows/main_window.cpp" line="933"/>
        <source>Load Plan</source>
        <translation>加载方案</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="925"/>
        <source>Quantscope plans (*.json);;All files (*)</source>
        <translation>Quantscope 方案 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="942"/>
        <location filename="../ui/windows/main_window.cpp" line="948"/>
        <source>Save Plan</source>
        <translation>保存方案</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="945"/>
        <source>Quantscope plans (*.json)</source>
        <translation>Quantscope 方案 (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="954"/>
        <location filename="../ui/windows/main_window.cpp" line="958"/>
        <source>Open Session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="955"/>
        <source>Quantscope sessions (*.qsession.json *.json);;All files (*)</source>
        <translation>Quantscope 会话 (*.qsession.json *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="964"/>
        <location filename="../ui/windows/main_window.cpp" line="969"/>
        <source>Save Session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="966"/>
        <source>Quantscope sessions (*.qsession.json)</source>
        <translation>Quantscope 会话 (*.qsession.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="975"/>
        <source>Load Importance Matrix</source>
        <translation>加载重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="976"/>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>重要性矩阵 (*.gguf *.dat);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="988"/>
        <source>Collect Importance Matrix on %1</source>
        <translation>在 %1 上收集重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="991"/>
        <source>Importance matrices (*.gguf)</source>
        <translation>重要性矩阵 (*.gguf)</translation>
    </message>
</context>
<context>
    <name>qs::ui::MemoryPlot</name>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="22"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="23"/>
        <source>MiB per layer</source>
        <translation>每层 MiB</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="25"/>
        <source>GiB cumulative</source>
        <translation>累计 GiB</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="110"/>
        <source>No plan</source>
        <translation>无方案</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="114"/>
        <source>Plan %1 GiB (%2 bpw) · FP16 %3 GiB (%4 bpw)</source>
        <translation>方案 %1 GiB（%2 bpw）· FP16 %3 GiB（%4 bpw）</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="158"/>
        <source>FP16</source>
        <translation>FP16</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="180"/>
        <source>Plan, cumulative</source>
        <translation>方案（累计）</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="213"/>
        <source>%1 GB: fits</source>
        <translation>%1 GB：可容纳</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="214"/>
        <source>%1 GB: too large</source>
        <translation>%1 GB：过大</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="234"/>
        <source>global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="234"/>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plots/memory_plot.cpp" line="244"/>
        <source>%1, %2
%3 bytes (%4 MiB) in %n tensor(s)</source>
        <translation>
            <numerusform>%1，%2
%3 字节（%4 MiB），共 %n 个张量</numerusform>
        </translation>
    </message>
    <message>
        <source>experts</source>
        <translation>专家</translation>
    </message>
    <message>
        <source>
%1 experts (gate, up and down): %2 MiB per expert</source>
        <translation>
%1 个专家（gate、up 和 down）：每个专家 %2 MiB</translation>
    </message>
</context>
<context>
    <name>qs::ui::OptimizerPanel</name>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="47"/>
        <source>Measure sensitivities</source>
        <translation>测量敏感度</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="48"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="49"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="50"/>
        <source>Keep manual edits</source>
        <translation>保留手动修改</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="72"/>
        <source>Bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="73"/>
        <source>Size (GB)</source>
        <translation>大小 (GB)</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="76"/>
        <source>Quantize every weight matrix to each candidate format and measure its error (in the background, with the loaded importance matrix; cached on disk)</source>
        <translation>将每个权重矩阵量化为每种候选格式并测量其误差（在后台进行，使用已加载的重要性矩阵；缓存在磁盘上）</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="78"/>
        <source>Write the optimized formats into the plan (one undo step)</source>
        <translation>将优化后的格式写入计划（一个撤销步骤）</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="80"/>
        <source>Tensors changed by hand after Apply keep their format in the next optimization</source>
        <translation>应用后手动修改的张量在下一次优化中保留其格式</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="103"/>
        <source>&lt;b&gt;Optimize&lt;/b&gt;</source>
        <translation>&lt;b&gt;优化&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="132"/>
        <source>Measuring %1/%2 %3: %4</source>
        <translation>正在测量 %1/%2 %3：%4</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="146"/>
        <source>Measuring stopped: %1</source>
        <translation>测量已停止：%1</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="205"/>
        <source>Measuring with the importance matrix…</source>
        <translation>正在使用重要性矩阵测量…</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="206"/>
        <source>Measuring (no importance matrix: plain relative error)…</source>
        <translation>正在测量（无重要性矩阵：普通相对误差）…</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="247"/>
        <source>Measured %1 tensors × %2 formats (%3 points from the cache)</source>
        <translation>已测量 %1 个张量 × %2 种格式（%3 个点来自缓存）</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="327"/>
        <source> bpw</source>
        <translation> bpw</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="334"/>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="419"/>
        <source>Measure the sensitivities to optimize.</source>
        <translation>请先测量敏感度再进行优化。</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="420"/>
        <source>No model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="425"/>
        <source>Predicted: %1, %2 bits/weight, error %3</source>
        <translation>预测：%1，%2 位/权重，误差 %3</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="430"/>
        <source>The target is below the smallest possible plan.</source>
        <translation>目标低于可能的最小计划。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plan/optimizer_panel.cpp" line="433"/>
        <source>%n tensor(s) kept as edited.</source>
        <translation>
            <numerusform>%n 个张量保持手动修改。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="452"/>
        <source>Preset %1: %2 bits/weight, error %3 (optimized at that size: %4)</source>
        <translation>预设 %1：%2 位/权重，误差 %3（相同大小下优化后：%4）</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="456"/>
        <source>not reachable</source>
        <translation>无法达到</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="468"/>
        <source>Optimize to %1 bits/weight</source>
        <translation>优化到 %1 位/权重</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="477"/>
        <source>Open a model to optimize its plan.</source>
        <translation>打开模型以优化其方案。</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="479"/>
        <source>After measuring, the plot shows how a tensor&apos;s error falls with its bits per weight.</source>
        <translation>测量后，图中显示张量误差如何随每权重位数下降。</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="482"/>
        <source>Select a cell of the grid to plot its tensor&apos;s error against its bits per weight.</source>
        <translation>选择网格中的单元格，以绘制其张量误差与每权重位数的关系。</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanDocument</name>
    <message numerus="yes">
        <location filename="../ui/plan/plan_document.cpp" line="85"/>
        <source>Set %n tensor(s) to %1</source>
        <translation>
            <numerusform>将 %n 个张量设为 %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_document.cpp" line="91"/>
        <source>No model is open.</source>
        <translation>未打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_document.cpp" line="110"/>
        <source>Apply preset %1</source>
        <translation>应用预设 %1</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanEditor</name>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="63"/>
        <source>Apply preset</source>
        <translation>应用预设</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="66"/>
        <source>Choose every tensor&apos;s format as llama-quantize would for this preset</source>
        <translation>按 llama-quantize 对此预设的规则选择每个张量的格式</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="73"/>
        <source>%1 bits per weight, blocks of %2</source>
        <translation>每权重 %1 位，块大小 %2</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="80"/>
        <source>Set selected</source>
        <translation>设置所选</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="83"/>
        <source>Give the selected cells this format (keys 2–8, F, B do it directly)</source>
        <translation>为所选单元格设置此格式（也可直接按 2–8、F、B 键）</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="86"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="89"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="95"/>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="99"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="173"/>
        <source>Preset failed: %1</source>
        <translation>预设失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="179"/>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="185"/>
        <source>Plan: %1, %2 bits/weight (%3 of the stored model)</source>
        <translation>方案：%1，每权重 %2 位（为存储模型的 %3）</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="193"/>
        <source>Set format</source>
        <translation>设置格式</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="199"/>
        <source>%1 (%2 bpw)</source>
        <translation>%1（%2 bpw）</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>Measured error</source>
        <translation>实测误差</translation>
    </message>
    <message>
        <source>Colour the cells by their format&apos;s bits per weight, or by the error a run measured for each tensor (a layer × role heat map: the worst tensors in red)</source>
        <translation>按格式的每权重位数为单元格着色，或按一次运行为每个张量测得的误差着色（层 × 角色热图：最差的张量为红色）</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>颜色：</translation>
    </message>
    <message>
        <source>bits per weight:</source>
        <translation>每权重位数：</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>no run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <source>relative RMSE:</source>
        <translation>相对 RMSE：</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanGridModel</name>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="48"/>
        <source>Global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="50"/>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="132"/>
        <source>%1
%2: %3 bits per weight, blocks of %4</source>
        <translation>%1
%2：每权重 %3 位，块大小 %4</translation>
    </message>
    <message>
        <source>
No measured error: run the plan to measure it</source>
        <translation>
无实测误差：运行计划以测量</translation>
    </message>
    <message>
        <source>
Measured relative RMSE: %1 (as %2)</source>
        <translation>
实测相对 RMSE：%1（格式 %2）</translation>
    </message>
    <message>
        <source>
The plan has changed since: run it again to measure the new format</source>
        <translation>
计划此后已更改：请重新运行以测量新格式</translation>
    </message>
    <message>
        <source>
%1 experts of %2 × %3, one format for all of them</source>
        <translation>
%1 个 %2 × %3 的专家，共用一种格式</translation>
    </message>
    <message>
        <source>
The experts&apos; router: not quantizable, kept as stored (llama-quantize&apos;s rule)</source>
        <translation>
专家路由器：不可量化，保持原存储格式（llama-quantize 的规则）</translation>
    </message>
    <message>
        <source>
Not quantizable: kept as stored</source>
        <translation>
不可量化：保持原存储格式</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlotView</name>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="204"/>
        <source>%1
%2: %3 %4</source>
        <translation>%1
%2：%3 %4</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="229"/>
        <source>global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="315"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="316"/>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="317"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="319"/>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="327"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="330"/>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="333"/>
        <source>CSV tables (*.csv)</source>
        <translation>CSV 表格 (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="336"/>
        <location filename="../ui/plots/plot_view.cpp" line="353"/>
        <source>Export plot</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="354"/>
        <source>Could not write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
</context>
<context>
    <name>qs::ui::ResultsTableModel</name>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="101"/>
        <source>‖W − Q(W)‖ / ‖W‖: lower is better</source>
        <translation>‖W − Q(W)‖ / ‖W‖：越低越好</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="103"/>
        <source>Signal-to-quantization-noise ratio in dB: higher is better</source>
        <translation>信号与量化噪声比 (dB)：越高越好</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="105"/>
        <source>Cosine similarity of the weights before and after</source>
        <translation>量化前后权重的余弦相似度</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="107"/>
        <source>Mean squared error weighted by the importance matrix</source>
        <translation>按重要性矩阵加权的均方误差</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="117"/>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="119"/>
        <source>From</source>
        <translation>原类型</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="121"/>
        <source>To</source>
        <translation>目标类型</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="123"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="125"/>
        <source>Rel. RMSE</source>
        <translation>相对 RMSE</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="127"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="129"/>
        <source>Cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="131"/>
        <source>Max |error|</source>
        <translation>最大 |误差|</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="133"/>
        <source>Weighted MSE</source>
        <translation>加权 MSE</translation>
    </message>
</context>
<context>
    <name>qs::ui::SensitivityPlot</name>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="30"/>
        <source>Bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="31"/>
        <source>Relative error</source>
        <translation>相对误差</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="106"/>
        <source>Chosen</source>
        <translation>已选择</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="148"/>
        <source>%1
%2: %3 bits per weight, error %4</source>
        <translation>%1
%2：%3 位/权重，误差 %4</translation>
    </message>
</context>
<context>
    <name>qs::ui::SettingsDialog</name>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="50"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="59"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="60"/>
        <source>Vulkan</source>
        <translation>Vulkan</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="61"/>
        <source>Device that dequantizes during runs</source>
        <translation>运行时进行反量化的设备</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="69"/>
        <source>automatic (%1)</source>
        <translation>自动（%1）</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="71"/>
        <source>Worker threads for quantization and evaluation</source>
        <translation>用于量化和评估的工作线程</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="75"/>
        <source>Text used for perplexity, KL divergence and importance matrices; empty: the bundled Shakespeare text</source>
        <translation>用于困惑度、KL 散度和重要性矩阵的文本；留空则使用内置的莎士比亚文本</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="78"/>
        <source>system temporary folder</source>
        <translation>系统临时文件夹</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="79"/>
        <source>Where the reference model&apos;s log-probabilities are cached</source>
        <translation>参考模型对数概率的缓存位置</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="81"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="88"/>
        <source>&amp;Backend:</source>
        <translation>后端(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="89"/>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="90"/>
        <source>&amp;Threads:</source>
        <translation>线程数(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="91"/>
        <source>Default &amp;text:</source>
        <translation>默认文本(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="92"/>
        <source>Choose the evaluation text</source>
        <translation>选择评估文本</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="93"/>
        <source>&amp;Cache folder:</source>
        <translation>缓存文件夹(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="94"/>
        <source>Choose the cache folder</source>
        <translation>选择缓存文件夹</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="95"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="96"/>
        <source>A new language applies after a restart.</source>
        <translation>新语言在重启后生效。</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="111"/>
        <source>Worker threads</source>
        <translation>工作线程</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="113"/>
        <source>Preferred device</source>
        <translation>首选设备</translation>
    </message>
</context>
<context>
    <name>qs::ui::SpeedPlot</name>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="21"/>
        <source>Prompt processing (tokens/s)</source>
        <translation>提示处理 (token/秒)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="23"/>
        <source>Text generation (tokens/s)</source>
        <translation>文本生成 (token/秒)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="80"/>
        <source>pp (left axis)</source>
        <translation>pp（左轴）</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="85"/>
        <source>tg (right axis)</source>
        <translation>tg（右轴）</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="95"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="127"/>
        <source>%1, %2: %3 tokens/s</source>
        <translation>%1，%2：%3 token/秒</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="128"/>
        <source>prompt processing</source>
        <translation>提示处理</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="128"/>
        <source>text generation</source>
        <translation>文本生成</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="134"/>
        <source>%1× %2</source>
        <translation>%1× %2</translation>
    </message>
</context>
<context>
    <name>qs::ui::TensorTreeModel</name>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="17"/>
        <source>Global</source>
        <translation>全局</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="29"/>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/tensor_tree_model.cpp" line="109"/>
        <source>%n tensor(s)</source>
        <translation>
            <numerusform>%n 个张量</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="122"/>
        <source>%1
%2, block %3, %4 bits per weight
%5 parameters</source>
        <translation>%1
%2，块 %3，每权重 %4 位
%5 个参数</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="164"/>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="166"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="168"/>
        <source>Dims</source>
        <translation>维度</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="170"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="172"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>
%1 experts, one format for all (expand for each expert)</source>
        <translation>
%1 个专家，共用一种格式（展开查看每个专家）</translation>
    </message>
    <message>
        <source>
The experts&apos; router: not quantizable, kept as stored (llama-quantize&apos;s rule)</source>
        <translation>
专家路由器：不可量化，保持原存储格式（llama-quantize 的规则）</translation>
    </message>
    <message>
        <source>Expert %1 of %2 in %3: its matrix is quantized with the tensor&apos;s format</source>
        <translation>%3 中的专家 %1/%2：其矩阵按该张量的格式量化</translation>
    </message>
    <message>
        <source>expert %1</source>
        <translation>专家 %1</translation>
    </message>
</context>
<context>
    <name>qs::ui::VariantErrorPlot</name>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="40"/>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="89"/>
        <source>Mean relative RMSE</source>
        <translation>平均相对 RMSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="90"/>
        <source>Mean importance-weighted MSE</source>
        <translation>平均重要性加权 MSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="165"/>
        <source>%1, layer %2</source>
        <translation>%1，第 %2 层</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plots/variant_error_plot.cpp" line="166"/>
        <source>%1: %2 (%n tensor(s))</source>
        <translation>
            <numerusform>%1：%2（%n 个张量）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="168"/>
        <source>worst: %1 (%2)</source>
        <translation>最差：%1（%2）</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="179"/>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
</context>
<context>
    <name>qs::ui::Workspace</name>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collecting the importance matrix: %1/%2 %3</source>
        <translation>正在收集重要性矩阵：%1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Importance matrix: %1/%2 %3</source>
        <translation>重要性矩阵：%1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Importance matrix failed: %1</source>
        <translation>重要性矩阵失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Still opening %1</source>
        <translation>仍在打开 %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Open failed</source>
        <translation>打开失败</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Cannot create a scratch folder: %1</source>
        <translation>无法创建临时文件夹：%1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Run plan</source>
        <translation>运行方案</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collected the importance matrix %1</source>
        <translation>已收集重要性矩阵 %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Loaded the importance matrix %1</source>
        <translation>已加载重要性矩阵 %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>An importance matrix job is already running.</source>
        <translation>已有重要性矩阵任务正在运行。</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load importance matrix</source>
        <translation>加载重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collect importance matrix</source>
        <translation>收集重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>No model is open.</source>
        <translation>未打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Saved the plan to %1</source>
        <translation>方案已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Open a model before loading a plan.</source>
        <translation>加载方案前请先打开模型。</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load plan %1</source>
        <translation>加载方案 %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Applied %n tensor type(s).</source>
        <translation>
            <numerusform>已应用 %n 个张量类型。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%n planned tensor(s) are not in this model: %1</source>
        <translation>
            <numerusform>%n 个方案中的张量不在此模型中：%1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%n tensor(s) cannot take the planned type: %1</source>
        <translation>
            <numerusform>%n 个张量无法使用方案中的类型：%1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Saved the session to %1</source>
        <translation>会话已保存到 %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%1 names no model.</source>
        <translation>%1 未指定模型。</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load session</source>
        <translation>加载会话</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Loaded the session %1</source>
        <translation>已加载会话 %1</translation>
    </message>
</context>
<context>
    <name>qs::ui::FileActions</name>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load &amp;Plan…</source>
        <translation>加载方案(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&amp;Save Plan…</source>
        <translation>保存方案(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Sessio&amp;n…</source>
        <translation>打开会话(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Session &amp;As…</source>
        <translation>会话另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load &amp;Importance Matrix…</source>
        <translation>加载重要性矩阵(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&amp;Collect Importance Matrix…</source>
        <translation>收集重要性矩阵(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Cancel Importance Matrix</source>
        <translation>取消重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>模型 (*.gguf *.safetensors *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Hugging Face Model Folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load Plan</source>
        <translation>加载方案</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope plans (*.json);;All files (*)</source>
        <translation>Quantscope 方案 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Plan</source>
        <translation>保存方案</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope plans (*.json)</source>
        <translation>Quantscope 方案 (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope sessions (*.qsession.json *.json);;All files (*)</source>
        <translation>Quantscope 会话 (*.qsession.json *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope sessions (*.qsession.json)</source>
        <translation>Quantscope 会话 (*.qsession.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load Importance Matrix</source>
        <translation>加载重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>重要性矩阵 (*.gguf *.dat);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Collect Importance Matrix on %1</source>
        <translation>在 %1 上收集重要性矩阵</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Importance matrices (*.gguf)</source>
        <translation>重要性矩阵 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>About Quantscope</source>
        <translation>关于 Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;A workbench for quantizing large language models: per-layer formats, error against FP16, GGUF and GPTQ export.</source>
        <translation>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;用于量化大语言模型的工作台：逐层格式、相对 FP16 的误差、GGUF 与 GPTQ 导出。</translation>
    </message>
</context>
</TS>
