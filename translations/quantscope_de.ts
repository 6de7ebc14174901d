<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="15"/>
        <source>Formats:</source>
        <translation>Formate:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="21"/>
        <source>Importance matrix:</source>
        <translation>Wichtigkeitsmatrix:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="25"/>
        <source>none (optional; llama-imatrix .gguf or .dat)</source>
        <translation>keine (optional; llama-imatrix .gguf oder .dat)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="26"/>
        <location filename="../ui/dialogs/export_dialog.ui" line="35"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="30"/>
        <source>Output file:</source>
        <translation>Ausgabedatei:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="39"/>
        <source>Model name:</source>
        <translation>Modellname:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="42"/>
        <source>general.name (unchanged when empty)</source>
        <translation>general.name (unverändert, wenn leer)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="45"/>
        <source>Author:</source>
        <translation>Autor:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="48"/>
        <source>general.author (optional)</source>
        <translation>general.author (optional)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="9"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="15"/>
        <source>Export as:</source>
        <translation>Exportieren als:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="62"/>
        <source>Bits:</source>
        <translation>Bits:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="68"/>
        <source>Group size:</source>
        <translation>Gruppengröße:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="74"/>
        <source>Options:</source>
        <translation>Optionen:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="78"/>
        <source>Act-order (desc_act)</source>
        <translation>Aktivierungsreihenfolge (desc_act)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="78"/>
        <source>Quantize columns by descending Hessian diagonal (writes g_idx)</source>
        <translation>Spalten nach absteigender Hesse-Diagonale quantisieren (schreibt g_idx)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="79"/>
        <source>Symmetric</source>
        <translation>Symmetrisch</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="79"/>
        <source>Zero point fixed at the middle of the range; unchecked: a zero point per group</source>
        <translation>Nullpunkt fest in der Mitte des Bereichs; abgewählt: ein Nullpunkt pro Gruppe</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="83"/>
        <source>Calibration text:</source>
        <translation>Kalibrierungstext:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="92"/>
        <source>Samples:</source>
        <translation>Stichproben:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="95"/>
        <source>Calibration segments (nsamples)</source>
        <translation>Kalibrierungsabschnitte (nsamples)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="98"/>
        <source>Tokens per sample:</source>
        <translation>Tokens pro Stichprobe:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="101"/>
        <source>Tokens per segment (seqlen), at most the model&apos;s context</source>
        <translation>Tokens pro Abschnitt (seqlen), höchstens der Kontext des Modells</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="104"/>
        <source>Damping:</source>
        <translation>Dämpfung:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="107"/>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="107"/>
        <source>Added to the Hessian diagonal, in percent of its mean</source>
        <translation>Zur Hesse-Diagonale addiert, in Prozent ihres Mittelwerts</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.ui" line="110"/>
        <source>Checkpoint format:</source>
        <translation>Checkpoint-Format:</translation>
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
        <translation>Kein Modell geöffnet. Mit Datei → Öffnen ein GGUF-, safetensors- oder llama2.c-Modell laden.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="57"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="63"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="74"/>
        <source>&amp;Quantize</source>
        <translation>&amp;Quantisieren</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="81"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="86"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="98"/>
        <source>&amp;Open Model…</source>
        <translation>Modell ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="101"/>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="106"/>
        <source>Open Hugging Face &amp;Folder…</source>
        <translation>Hugging-Face-&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="109"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="114"/>
        <source>&amp;Run Plan</source>
        <translation>Plan &amp;ausführen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="117"/>
        <source>Quantize every tensor with the plan&apos;s format and measure its error against the source</source>
        <translation>Jeden Tensor im Format des Plans quantisieren und seinen Fehler gegenüber dem Original messen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="120"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="125"/>
        <source>&amp;Cancel Run</source>
        <translation>Lauf a&amp;bbrechen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="128"/>
        <source>Ctrl+.</source>
        <translation>Ctrl+.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="133"/>
        <source>&amp;Export (GGUF, GPTQ, AWQ)…</source>
        <translation>&amp;Exportieren (GGUF, GPTQ, AWQ)…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="136"/>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="141"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="144"/>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="149"/>
        <source>&amp;About Quantscope</source>
        <translation>Ü&amp;ber Quantscope</translation>
    </message>
</context>
<context>
    <name>qs::ui::CompareView</name>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="66"/>
        <source>Measure tokens/sec</source>
        <translation>Token/s messen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="67"/>
        <source>&amp;Compare</source>
        <translation>&amp;Vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="68"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="69"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="92"/>
        <location filename="../ui/compare/compare_view.cpp" line="229"/>
        <source>Current plan</source>
        <translation>Aktueller Plan</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="95"/>
        <source>The plan being edited, compared after the presets when it differs from the stored model</source>
        <translation>Der bearbeitete Plan, nach den Presets verglichen, wenn er vom gespeicherten Modell abweicht</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="114"/>
        <source>Choose the evaluation text</source>
        <translation>Bewertungstext wählen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="116"/>
        <source>Plain-text file the perplexity and KL divergence are measured on</source>
        <translation>Textdatei, auf der Perplexität und KL-Divergenz gemessen werden</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="119"/>
        <source>Evaluation Text</source>
        <translation>Bewertungstext</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="120"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>Textdateien (*.txt *.raw);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="127"/>
        <source> tokens</source>
        <translation> Token</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="128"/>
        <source>Context length of each evaluated chunk</source>
        <translation>Kontextlänge jedes bewerteten Abschnitts</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="131"/>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="132"/>
        <source>Evaluate at most this many chunks of the text</source>
        <translation>Höchstens so viele Abschnitte des Textes bewerten</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="135"/>
        <source>Also measure prompt processing (pp) and generation (tg) speed of each variant</source>
        <translation>Auch die Geschwindigkeit der Prompt-Verarbeitung (pp) und Generierung (tg) jeder Variante messen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="141"/>
        <source>Variants</source>
        <translation>Varianten</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="148"/>
        <source>Text:</source>
        <translation>Text:</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="149"/>
        <source>Context:</source>
        <translation>Kontext:</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="150"/>
        <source>Chunks:</source>
        <translation>Abschnitte:</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="176"/>
        <source>Size vs KLD</source>
        <translation>Größe vs. KLD</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="177"/>
        <source>Size vs PPL</source>
        <translation>Größe vs. PPL</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="178"/>
        <source>Speed</source>
        <translation>Geschwindigkeit</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="200"/>
        <source>Per-layer error</source>
        <translation>Fehler pro Schicht</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="296"/>
        <source>A comparison is already running.</source>
        <translation>Ein Vergleich läuft bereits.</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="300"/>
        <source>Open a model first.</source>
        <translation>Zuerst ein Modell öffnen.</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="310"/>
        <source>Check at least one variant to compare.</source>
        <translation>Mindestens eine Variante zum Vergleichen auswählen.</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="316"/>
        <source>The evaluation text %1 does not exist.</source>
        <translation>Der Bewertungstext %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="355"/>
        <source>Compare variants</source>
        <translation>Varianten vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="380"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="429"/>
        <source>Finishing…</source>
        <translation>Wird abgeschlossen…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="433"/>
        <source>reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="434"/>
        <source>variant %1/%2: %3</source>
        <translation>Variante %1/%2: %3</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/compare/compare_view.cpp" line="439"/>
        <source>Compared %n variant(s) on %1.</source>
        <translation>
            <numerusform>%n Variante auf %1 verglichen.</numerusform>
            <numerusform>%n Varianten auf %1 verglichen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="535"/>
        <source>CPU (fused kernels)</source>
        <translation>CPU (fusionierte Kernel)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="440"/>
        <source>Stopped: %1</source>
        <translation>Angehalten: %1</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="453"/>
        <source>Export Comparison</source>
        <translation>Vergleich exportieren</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="455"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="461"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="463"/>
        <source>Wrote %1</source>
        <translation>%1 geschrieben</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="114"/>
        <source>Presets to quantize and evaluate, in this order, then the files and folders added below</source>
        <translation>Zu quantisierende und auszuwertende Voreinstellungen in dieser Reihenfolge, danach die unten hinzugefügten Dateien und Ordner</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="118"/>
        <source>Add file or folder…</source>
        <translation>Datei oder Ordner hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="119"/>
        <source>Compare an existing model too: a GGUF file made elsewhere or a GPTQ/AWQ checkpoint folder</source>
        <translation>Auch ein vorhandenes Modell vergleichen: eine anderswo erstellte GGUF-Datei oder einen GPTQ/AWQ-Checkpoint-Ordner</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="124"/>
        <source>GGUF file…</source>
        <translation>GGUF-Datei…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="125"/>
        <source>Checkpoint folder (GPTQ/AWQ, Hugging Face)…</source>
        <translation>Checkpoint-Ordner (GPTQ/AWQ, Hugging Face)…</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="280"/>
        <source>Evaluated as it is: %1</source>
        <translation>Unverändert ausgewertet: %1</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="300"/>
        <source>Checkpoint Folder</source>
        <translation>Checkpoint-Ordner</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="301"/>
        <source>Model File</source>
        <translation>Modelldatei</translation>
    </message>
    <message>
        <location filename="../ui/compare/compare_view.cpp" line="302"/>
        <source>GGUF files (*.gguf);;All files (*)</source>
        <translation>GGUF-Dateien (*.gguf);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>qs::ui::ComparisonPlot</name>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="27"/>
        <source>Size (GiB)</source>
        <translation>Größe (GiB)</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="106"/>
        <source>Mean KL divergence</source>
        <translation>Mittlere KL-Divergenz</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="107"/>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="112"/>
        <source>Pareto front</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="175"/>
        <source>%1
%2 GiB, %3 bpw
PPL %4 ± %5
KLD %6</source>
        <translation>%1
%2 GiB, %3 bpw
PPL %4 ± %5
KLD %6</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="188"/>
        <source>Size versus KLD</source>
        <translation>Größe gegen KLD</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="189"/>
        <source>Size versus perplexity</source>
        <translation>Größe gegen Perplexität</translation>
    </message>
    <message>
        <location filename="../ui/plots/comparison_plot.cpp" line="322"/>
        <source>Logarithmic scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
</context>
<context>
    <name>qs::ui::ComparisonTableModel</name>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="68"/>
        <source>The input model: the reference for KLD, top-1 and speed ratios</source>
        <translation>Das Eingabemodell: Referenz für KLD, Top-1 und Geschwindigkeitsverhältnisse</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="83"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="89"/>
        <source>%1 (reference)</source>
        <translation>%1 (Referenz)</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="143"/>
        <source>Bits per weight over all tensors</source>
        <translation>Bits pro Gewicht über alle Tensoren</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="145"/>
        <source>Perplexity on the text, with its standard error</source>
        <translation>Perplexität auf dem Text mit ihrem Standardfehler</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="147"/>
        <source>Perplexity minus the reference&apos;s</source>
        <translation>Perplexität minus die der Referenz</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="149"/>
        <source>Mean KL divergence of the token distribution against the reference</source>
        <translation>Mittlere KL-Divergenz der Token-Verteilung gegenüber der Referenz</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="151"/>
        <source>How often the most likely token matches the reference&apos;s</source>
        <translation>Wie oft das wahrscheinlichste Token mit dem der Referenz übereinstimmt</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="153"/>
        <source>Prompt processing throughput</source>
        <translation>Durchsatz der Prompt-Verarbeitung</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="155"/>
        <source>Text generation throughput</source>
        <translation>Durchsatz der Textgenerierung</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="158"/>
        <source>Throughput relative to the reference</source>
        <translation>Durchsatz relativ zur Referenz</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="168"/>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="170"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="172"/>
        <source>BPW</source>
        <translation>BPW</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="174"/>
        <source>PPL ± err</source>
        <translation>PPL ± Fehler</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="176"/>
        <source>ΔPPL</source>
        <translation>ΔPPL</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="178"/>
        <source>Mean KLD</source>
        <translation>Mittlere KLD</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="180"/>
        <source>Top-1 %</source>
        <translation>Top-1 %</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="182"/>
        <source>pp tok/s</source>
        <translation>pp Token/s</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="184"/>
        <source>tg tok/s</source>
        <translation>tg Token/s</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="186"/>
        <source>pp ratio</source>
        <translation>pp-Verhältnis</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="188"/>
        <source>tg ratio</source>
        <translation>tg-Verhältnis</translation>
    </message>
    <message>
        <location filename="../ui/compare/comparison_table_model.cpp" line="73"/>
        <source>Measured %1; shown as 0, the reference&apos;s own value</source>
        <translation>Gemessen %1; als 0 gezeigt, der Wert der Referenz selbst</translation>
    </message>
</context>
<context>
    <name>qs::ui::ErrorPlot</name>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="16"/>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="89"/>
        <source>Relative RMSE</source>
        <translation>Relativer RMSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="91"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="93"/>
        <source>1 − cosine similarity</source>
        <translation>1 − Kosinus-Ähnlichkeit</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="95"/>
        <source>Importance-weighted MSE</source>
        <translation>Nach Wichtigkeit gewichteter MSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="115"/>
        <source>FP16 baseline</source>
        <translation>FP16-Grundlinie</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="229"/>
        <source>Whole layer</source>
        <translation>Ganze Schicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="280"/>
        <source>global</source>
        <translation>global</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="280"/>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="282"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="283"/>
        <source>%1: %2 tensors, worst %3</source>
        <translation>%1: %2 Tensoren, schlechtester %3</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="287"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="289"/>
        <source>cosine: %1</source>
        <translation>Kosinus: %1</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="295"/>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="304"/>
        <source>Group by role</source>
        <translation>Nach Rolle gruppieren</translation>
    </message>
    <message>
        <location filename="../ui/plots/error_plot.cpp" line="309"/>
        <source>Logarithmic scale</source>
        <translation>Logarithmische Skala</translation>
    </message>
</context>
<context>
    <name>qs::ui::ExportDialog</name>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="32"/>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="34"/>
        <source>&amp;Cancel export</source>
        <translation>Export a&amp;bbrechen</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="43"/>
        <source>Current plan</source>
        <translation>Aktueller Plan</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="47"/>
        <source>Preset %1</source>
        <translation>Preset %1</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="58"/>
        <source>Export GGUF</source>
        <translation>GGUF exportieren</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="58"/>
        <source>GGUF files (*.gguf)</source>
        <translation>GGUF-Dateien (*.gguf)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="65"/>
        <source>Importance Matrix</source>
        <translation>Wichtigkeitsmatrix</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="66"/>
        <source>Importance matrices (*.gguf *.dat)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf *.dat)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="82"/>
        <source>Writing %1 (%2 of %3 tensors)</source>
        <translation>Schreibe %1 (%2 von %3 Tensoren)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="130"/>
        <source>Expected size: %1 (%2 bits per weight)</source>
        <translation>Erwartete Größe: %1 (%2 Bits pro Gewicht)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="142"/>
        <source>Choose an output file.</source>
        <translation>Eine Ausgabedatei wählen.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="148"/>
        <source>The output would overwrite the model being read: choose another file.</source>
        <translation>Die Ausgabe würde das gelesene Modell überschreiben: eine andere Datei wählen.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="155"/>
        <source>The folder %1 does not exist.</source>
        <translation>Der Ordner %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="159"/>
        <source>Replace file?</source>
        <translation>Datei ersetzen?</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="160"/>
        <source>%1 exists. Replace it?</source>
        <translation>%1 existiert bereits. Ersetzen?</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="194"/>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="223"/>
        <source>Exported %1 (%2).</source>
        <translation>%1 exportiert (%2).</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="228"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="65"/>
        <source>&amp;Open exported model</source>
        <translation>Exportiertes Modell &amp;öffnen</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="84"/>
        <source>GGUF file (llama.cpp)</source>
        <translation>GGUF-Datei (llama.cpp)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="85"/>
        <source>GPTQ checkpoint folder (calibrated)</source>
        <translation>GPTQ-Checkpoint-Ordner (kalibriert)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="86"/>
        <source>AWQ checkpoint folder (calibrated, 4-bit)</source>
        <translation>AWQ-Checkpoint-Ordner (kalibriert, 4 Bit)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="94"/>
        <source>one per row (-1)</source>
        <translation>eine pro Zeile (-1)</translation>
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
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="115"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>Textdateien (*.txt *.raw);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="123"/>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="158"/>
        <source>Quantizing %1 (%2 of %3 linears)</source>
        <translation>Quantisiere %1 (%2 von %3 linearen Schichten)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="161"/>
        <source>Writing %1 (%2 of %3 %4)</source>
        <translation>Schreibe %1 (%2 von %3 %4)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="195"/>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="205"/>
        <source>Export GPTQ</source>
        <translation>GPTQ exportieren</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="205"/>
        <source>Export AWQ</source>
        <translation>AWQ exportieren</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="254"/>
        <source>Expected size: %1 (%2 bits per weight; other tensors in F16)</source>
        <translation>Erwartete Größe: %1 (%2 Bit pro Gewicht; übrige Tensoren in F16)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="361"/>
        <source>Choose an output folder.</source>
        <translation>Wählen Sie einen Ausgabeordner.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="365"/>
        <source>%1 is a file: choose a folder.</source>
        <translation>%1 ist eine Datei: Wählen Sie einen Ordner.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="370"/>
        <source>The output would overwrite the model being read: choose another folder.</source>
        <translation>Die Ausgabe würde das gelesene Modell überschreiben: Wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="398"/>
        <source>The calibration text %1 does not exist.</source>
        <translation>Der Kalibrierungstext %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="405"/>
        <source>Replace folder?</source>
        <translation>Ordner ersetzen?</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="406"/>
        <source>The folder %1 is not empty. Replace it and everything in it once the export is complete?</source>
        <translation>Der Ordner %1 ist nicht leer. Ihn samt Inhalt ersetzen, sobald der Export abgeschlossen ist?</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="423"/>
        <source>AWQ export</source>
        <translation>AWQ-Export</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/export_dialog.cpp" line="423"/>
        <source>GPTQ export</source>
        <translation>GPTQ-Export</translation>
    </message>
</context>
<context>
    <name>qs::ui::LogDock</name>
    <message>
        <location filename="../ui/widgets/log_dock.cpp" line="76"/>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
</context>
<context>
    <name>qs::ui::MainWindow</name>
    <message>
        <source>Cannot open %1: no such file or folder.</source>
        <translation type="vanished">%1 kann nicht geöffnet werden: Datei oder Ordner existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="445"/>
        <source>Open failed</source>
        <translation>Öffnen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cannot open %1: permission denied.</source>
        <translation type="vanished">%1 kann nicht geöffnet werden: Zugriff verweigert.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;%3</source>
        <translation type="vanished">&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;%3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="301"/>
        <source>%1 — Quantscope</source>
        <translation>%1 — Quantscope</translation>
    </message>
    <message>
        <source>Opened %1 (%2)</source>
        <translation type="vanished">%1 geöffnet (%2)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="70"/>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="71"/>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="73"/>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="74"/>
        <source>Heads / KV heads</source>
        <translation>Köpfe / KV-Köpfe</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="76"/>
        <source>Embedding / FFN</source>
        <translation>Einbettung / FFN</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="78"/>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="79"/>
        <source>Vocabulary</source>
        <translation>Vokabular</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="80"/>
        <source>File size</source>
        <translation>Dateigröße</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="82"/>
        <source>Bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="116"/>
        <source>&amp;Plan</source>
        <translation>&amp;Plan</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="130"/>
        <source>&amp;Results</source>
        <translation>&amp;Ergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="140"/>
        <source>&amp;Error</source>
        <translation>&amp;Fehler</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="143"/>
        <source>&amp;Memory</source>
        <translation>&amp;Speicher</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="158"/>
        <source>C&amp;ompare</source>
        <translation>&amp;Vergleich</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="162"/>
        <source>Comparison stopped: %1</source>
        <translation>Vergleich angehalten: %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="261"/>
        <source>Still opening %1</source>
        <translation>%1 wird noch geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="264"/>
        <source>Opening %1…</source>
        <translation>Öffne %1…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="303"/>
        <source>Opened %1: %n tensor(s)</source>
        <translation>
            <numerusform>%1 geöffnet: %n Tensor</numerusform>
            <numerusform>%1 geöffnet: %n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="318"/>
        <source>Cannot create a scratch folder: %1</source>
        <translation>Arbeitsordner kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="342"/>
        <source>Run plan</source>
        <translation>Plan ausführen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="360"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="361"/>
        <source>Device used to dequantize during runs</source>
        <translation>Gerät, das während der Läufe dequantisiert</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="398"/>
        <source>Exported %1</source>
        <translation>%1 exportiert</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="404"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="414"/>
        <source>, about %1 s left</source>
        <translation>, noch etwa %1 s</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="416"/>
        <source>%1/%2 tensors%3 — %4</source>
        <translation>%1/%2 Tensoren%3 — %4</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="428"/>
        <source>Run finished: %n tensor(s) in %1 s</source>
        <translation>
            <numerusform>Lauf beendet: %n Tensor in %1 s</numerusform>
            <numerusform>Lauf beendet: %n Tensoren in %1 s</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="434"/>
        <source>Run stopped: %1</source>
        <translation>Lauf angehalten: %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="447"/>
        <source>&lt;b&gt;Cannot open %1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>&lt;b&gt;%1 kann nicht geöffnet werden&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="453"/>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="454"/>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>Modelle (*.gguf *.safetensors *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="462"/>
        <source>Open Hugging Face Model Folder</source>
        <translation>Hugging-Face-Modellordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="506"/>
        <source>About Quantscope</source>
        <translation>Über Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="507"/>
        <source>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;A workbench for quantizing large language models: per-layer formats, error against FP16, GGUF and GPTQ export.</source>
        <translation>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;Eine Werkbank zum Quantisieren großer Sprachmodelle: Formate pro Schicht, Fehler gegenüber FP16, Export als GGUF und GPTQ.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="529"/>
        <source>Load &amp;Plan…</source>
        <translation>&amp;Plan laden…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="531"/>
        <source>&amp;Save Plan…</source>
        <translation>Plan &amp;speichern…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="534"/>
        <source>Open Sessio&amp;n…</source>
        <translation>Sitzu&amp;ng öffnen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="536"/>
        <source>Save Session &amp;As…</source>
        <translation>Sitzung speichern &amp;unter…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="539"/>
        <source>Load &amp;Importance Matrix…</source>
        <translation>&amp;Wichtigkeitsmatrix laden…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="541"/>
        <source>&amp;Collect Importance Matrix…</source>
        <translation>Wichtigkeitsmatrix &amp;sammeln…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="543"/>
        <source>Cancel Importance Matrix</source>
        <translation>Wichtigkeitsmatrix abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="553"/>
        <source>Se&amp;ttings…</source>
        <translation>Ei&amp;nstellungen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="561"/>
        <source>&amp;Compare Variants</source>
        <translation>Varianten &amp;vergleichen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="564"/>
        <source>Quantize the checked presets and evaluate each against the model</source>
        <translation>Die ausgewählten Presets quantisieren und jedes gegen das Modell bewerten</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="568"/>
        <source>Cancel Co&amp;mparison</source>
        <translation>Vergleich a&amp;bbrechen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="575"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="578"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="588"/>
        <location filename="../ui/windows/main_window.cpp" line="812"/>
        <source>Importance matrix: %1/%2 %3</source>
        <translation>Wichtigkeitsmatrix: %1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="627"/>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="640"/>
        <source>Set format of %1</source>
        <translation>Format von %1 festlegen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="643"/>
        <source>This tensor keeps its stored type</source>
        <translation>Dieser Tensor behält seinen gespeicherten Typ</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="653"/>
        <source>%1 (%2 bpw, blocks of %3)</source>
        <translation>%1 (%2 bpw, Blöcke zu %3)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="668"/>
        <source>No model is open.</source>
        <translation>Kein Modell ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="681"/>
        <source>Saved the plan to %1</source>
        <translation>Plan in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="688"/>
        <source>Open a model before loading a plan.</source>
        <translation>Vor dem Laden eines Plans ein Modell öffnen.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="701"/>
        <source>Load plan %1</source>
        <translation>Plan %1 laden</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="703"/>
        <source>Applied %n tensor type(s).</source>
        <translation>
            <numerusform>%n Tensortyp übernommen.</numerusform>
            <numerusform>%n Tensortypen übernommen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="705"/>
        <source>%n planned tensor(s) are not in this model: %1</source>
        <translation>
            <numerusform>%n geplanter Tensor ist nicht in diesem Modell: %1</numerusform>
            <numerusform>%n geplante Tensoren sind nicht in diesem Modell: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="710"/>
        <source>%n tensor(s) cannot take the planned type: %1</source>
        <translation>
            <numerusform>%n Tensor kann den geplanten Typ nicht annehmen: %1</numerusform>
            <numerusform>%n Tensoren können den geplanten Typ nicht annehmen: %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="745"/>
        <source>Saved the session to %1</source>
        <translation>Sitzung in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="759"/>
        <source>%1 names no model.</source>
        <translation>%1 nennt kein Modell.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="775"/>
        <source>Load session</source>
        <translation>Sitzung laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="797"/>
        <source>Loaded the session %1</source>
        <translation>Sitzung %1 geladen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="803"/>
        <source>An importance matrix job is already running.</source>
        <translation>Ein Wichtigkeitsmatrix-Auftrag läuft bereits.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="819"/>
        <source>Loaded the importance matrix %1</source>
        <translation>Wichtigkeitsmatrix %1 geladen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="823"/>
        <location filename="../ui/windows/main_window.cpp" line="864"/>
        <source>Importance matrix failed: %1</source>
        <translation>Wichtigkeitsmatrix fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="827"/>
        <source>Load importance matrix</source>
        <translation>Wichtigkeitsmatrix laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="853"/>
        <source>Collecting the importance matrix: %1/%2 %3</source>
        <translation>Sammle die Wichtigkeitsmatrix: %1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="860"/>
        <source>Collected the importance matrix %1</source>
        <translation>Wichtigkeitsmatrix %1 gesammelt</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="868"/>
        <source>Collect importance matrix</source>
        <translation>Wichtigkeitsmatrix sammeln</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="911"/>
        <source>Importance matrix: none</source>
        <translation>Wichtigkeitsmatrix: keine</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="912"/>
        <source>File → Load Importance Matrix, or collect one on a text</source>
        <translation>Datei → Wichtigkeitsmatrix laden, oder eine auf einem Text sammeln</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/windows/main_window.cpp" line="915"/>
        <source>Importance matrix: &lt;b&gt;%1&lt;/b&gt; (%n tensor(s), %2 chunk(s))</source>
        <translation>
            <numerusform>Wichtigkeitsmatrix: &lt;b&gt;%1&lt;/b&gt; (%n Tensor, %2 Abschnitt(e))</numerusform>
            <numerusform>Wichtigkeitsmatrix: &lt;b&gt;%1&lt;/b&gt; (%n Tensoren, %2 Abschnitt(e))</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="924"/>
        <location filename="../ui/windows/main_window.cpp" line="931"/>
        <location filename="../ui/windows/main_window.cpp" line="933"/>
        <source>Load Plan</source>
        <translation>Plan laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="925"/>
        <source>Quantscope plans (*.json);;All files (*)</source>
        <translation>Quantscope-Pläne (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="942"/>
        <location filename="../ui/windows/main_window.cpp" line="948"/>
        <source>Save Plan</source>
        <translation>Plan speichern</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="945"/>
        <source>Quantscope plans (*.json)</source>
        <translation>Quantscope-Pläne (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="954"/>
        <location filename="../ui/windows/main_window.cpp" line="958"/>
        <source>Open Session</source>
        <translation>Sitzung öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="955"/>
        <source>Quantscope sessions (*.qsession.json *.json);;All files (*)</source>
        <translation>Quantscope-Sitzungen (*.qsession.json *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="964"/>
        <location filename="../ui/windows/main_window.cpp" line="969"/>
        <source>Save Session</source>
        <translation>Sitzung speichern</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="966"/>
        <source>Quantscope sessions (*.qsession.json)</source>
        <translation>Quantscope-Sitzungen (*.qsession.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="975"/>
        <source>Load Importance Matrix</source>
        <translation>Wichtigkeitsmatrix laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="976"/>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf *.dat);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="988"/>
        <source>Collect Importance Matrix on %1</source>
        <translation>Wichtigkeitsmatrix auf %1 sammeln</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="991"/>
        <source>Importance matrices (*.gguf)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf)</translation>
    </message>
</context>
<context>
    <name>qs::ui::MemoryPlot</name>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="22"/>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="23"/>
        <source>MiB per layer</source>
        <translation>MiB pro Schicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="25"/>
        <source>GiB cumulative</source>
        <translation>GiB kumuliert</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="110"/>
        <source>No plan</source>
        <translation>Kein Plan</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="114"/>
        <source>Plan %1 GiB (%2 bpw) · FP16 %3 GiB (%4 bpw)</source>
        <translation>Plan %1 GiB (%2 bpw) · FP16 %3 GiB (%4 bpw)</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="158"/>
        <source>FP16</source>
        <translation>FP16</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="180"/>
        <source>Plan, cumulative</source>
        <translation>Plan, kumuliert</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="213"/>
        <source>%1 GB: fits</source>
        <translation>%1 GB: passt</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="214"/>
        <source>%1 GB: too large</source>
        <translation>%1 GB: zu groß</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="234"/>
        <source>global</source>
        <translation>global</translation>
    </message>
    <message>
        <location filename="../ui/plots/memory_plot.cpp" line="234"/>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plots/memory_plot.cpp" line="244"/>
        <source>%1, %2
%3 bytes (%4 MiB) in %n tensor(s)</source>
        <translation>
            <numerusform>%1, %2
%3 Bytes (%4 MiB) in %n Tensor</numerusform>
            <numerusform>%1, %2
%3 Bytes (%4 MiB) in %n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <source>experts</source>
        <translation>Experten</translation>
    </message>
    <message>
        <source>
%1 experts (gate, up and down): %2 MiB per expert</source>
        <translation>
%1 Experten (gate, up und down): %2 MiB je Experte</translation>
    </message>
</context>
<context>
    <name>qs::ui::OptimizerPanel</name>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="47"/>
        <source>Measure sensitivities</source>
        <translation>Empfindlichkeiten messen</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="48"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="49"/>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="50"/>
        <source>Keep manual edits</source>
        <translation>Manuelle Änderungen behalten</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="72"/>
        <source>Bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="73"/>
        <source>Size (GB)</source>
        <translation>Größe (GB)</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="76"/>
        <source>Quantize every weight matrix to each candidate format and measure its error (in the background, with the loaded importance matrix; cached on disk)</source>
        <translation>Jede Gewichtsmatrix in jedes Kandidatenformat quantisieren und ihren Fehler messen (im Hintergrund, mit der geladenen Importance-Matrix; auf der Festplatte zwischengespeichert)</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="78"/>
        <source>Write the optimized formats into the plan (one undo step)</source>
        <translation>Die optimierten Formate in den Plan schreiben (ein Rückgängig-Schritt)</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="80"/>
        <source>Tensors changed by hand after Apply keep their format in the next optimization</source>
        <translation>Nach dem Anwenden von Hand geänderte Tensoren behalten ihr Format bei der nächsten Optimierung</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="103"/>
        <source>&lt;b&gt;Optimize&lt;/b&gt;</source>
        <translation>&lt;b&gt;Optimieren&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="132"/>
        <source>Measuring %1/%2 %3: %4</source>
        <translation>Messe %1/%2 %3: %4</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="146"/>
        <source>Measuring stopped: %1</source>
        <translation>Messung abgebrochen: %1</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="205"/>
        <source>Measuring with the importance matrix…</source>
        <translation>Messe mit der Importance-Matrix…</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="206"/>
        <source>Measuring (no importance matrix: plain relative error)…</source>
        <translation>Messe (ohne Importance-Matrix: einfacher relativer Fehler)…</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="247"/>
        <source>Measured %1 tensors × %2 formats (%3 points from the cache)</source>
        <translation>%1 Tensoren × %2 Formate gemessen (%3 Punkte aus dem Cache)</translation>
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
        <translation>Zum Optimieren zuerst die Empfindlichkeiten messen.</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="420"/>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="425"/>
        <source>Predicted: %1, %2 bits/weight, error %3</source>
        <translation>Vorhersage: %1, %2 Bits/Gewicht, Fehler %3</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="430"/>
        <source>The target is below the smallest possible plan.</source>
        <translation>Das Ziel liegt unter dem kleinstmöglichen Plan.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plan/optimizer_panel.cpp" line="433"/>
        <source>%n tensor(s) kept as edited.</source>
        <translation>
            <numerusform>%n Tensor bleibt wie bearbeitet.</numerusform>
            <numerusform>%n Tensoren bleiben wie bearbeitet.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="452"/>
        <source>Preset %1: %2 bits/weight, error %3 (optimized at that size: %4)</source>
        <translation>Preset %1: %2 Bits/Gewicht, Fehler %3 (optimiert bei dieser Größe: %4)</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="456"/>
        <source>not reachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="468"/>
        <source>Optimize to %1 bits/weight</source>
        <translation>Auf %1 Bits/Gewicht optimieren</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="477"/>
        <source>Open a model to optimize its plan.</source>
        <translation>Öffnen Sie ein Modell, um seinen Plan zu optimieren.</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="479"/>
        <source>After measuring, the plot shows how a tensor&apos;s error falls with its bits per weight.</source>
        <translation>Nach dem Messen zeigt das Diagramm, wie der Fehler eines Tensors mit seinen Bits pro Gewicht fällt.</translation>
    </message>
    <message>
        <location filename="../ui/plan/optimizer_panel.cpp" line="482"/>
        <source>Select a cell of the grid to plot its tensor&apos;s error against its bits per weight.</source>
        <translation>Wählen Sie eine Zelle des Rasters, um den Fehler ihres Tensors über den Bits pro Gewicht zu zeigen.</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanDocument</name>
    <message numerus="yes">
        <location filename="../ui/plan/plan_document.cpp" line="85"/>
        <source>Set %n tensor(s) to %1</source>
        <translation>
            <numerusform>%n Tensor auf %1 setzen</numerusform>
            <numerusform>%n Tensoren auf %1 setzen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_document.cpp" line="91"/>
        <source>No model is open.</source>
        <translation>Kein Modell ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_document.cpp" line="110"/>
        <source>Apply preset %1</source>
        <translation>Preset %1 anwenden</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanEditor</name>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="63"/>
        <source>Apply preset</source>
        <translation>Preset anwenden</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="66"/>
        <source>Choose every tensor&apos;s format as llama-quantize would for this preset</source>
        <translation>Das Format jedes Tensors so wählen, wie llama-quantize es für dieses Preset täte</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="73"/>
        <source>%1 bits per weight, blocks of %2</source>
        <translation>%1 Bits pro Gewicht, Blöcke zu %2</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="80"/>
        <source>Set selected</source>
        <translation>Auswahl setzen</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="83"/>
        <source>Give the selected cells this format (keys 2–8, F, B do it directly)</source>
        <translation>Den ausgewählten Zellen dieses Format geben (Tasten 2–8, F, B direkt)</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="86"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="89"/>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="95"/>
        <source>Preset:</source>
        <translation>Preset:</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="99"/>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="173"/>
        <source>Preset failed: %1</source>
        <translation>Preset fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="179"/>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="185"/>
        <source>Plan: %1, %2 bits/weight (%3 of the stored model)</source>
        <translation>Plan: %1, %2 Bits/Gewicht (%3 des gespeicherten Modells)</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="193"/>
        <source>Set format</source>
        <translation>Format festlegen</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_editor.cpp" line="199"/>
        <source>%1 (%2 bpw)</source>
        <translation>%1 (%2 bpw)</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <source>Measured error</source>
        <translation>Gemessener Fehler</translation>
    </message>
    <message>
        <source>Colour the cells by their format&apos;s bits per weight, or by the error a run measured for each tensor (a layer × role heat map: the worst tensors in red)</source>
        <translation>Zellen nach den Bits pro Gewicht ihres Formats färben oder nach dem Fehler, den ein Lauf für jeden Tensor gemessen hat (Heatmap aus Schicht × Rolle: die schlechtesten Tensoren in Rot)</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>Farbe:</translation>
    </message>
    <message>
        <source>bits per weight:</source>
        <translation>Bits pro Gewicht:</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>nicht gemessen</translation>
    </message>
    <message>
        <source>no run yet</source>
        <translation>noch kein Lauf</translation>
    </message>
    <message>
        <source>relative RMSE:</source>
        <translation>relativer RMSE:</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlanGridModel</name>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="48"/>
        <source>Global</source>
        <translation>Global</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="50"/>
        <source>Layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <location filename="../ui/plan/plan_grid_model.cpp" line="132"/>
        <source>%1
%2: %3 bits per weight, blocks of %4</source>
        <translation>%1
%2: %3 Bits pro Gewicht, Blöcke zu %4</translation>
    </message>
    <message>
        <source>
No measured error: run the plan to measure it</source>
        <translation>
Kein gemessener Fehler: den Plan ausführen, um ihn zu messen</translation>
    </message>
    <message>
        <source>
Measured relative RMSE: %1 (as %2)</source>
        <translation>
Gemessener relativer RMSE: %1 (als %2)</translation>
    </message>
    <message>
        <source>
The plan has changed since: run it again to measure the new format</source>
        <translation>
Der Plan hat sich seitdem geändert: erneut ausführen, um das neue Format zu messen</translation>
    </message>
    <message>
        <source>
%1 experts of %2 × %3, one format for all of them</source>
        <translation>
%1 Experten zu %2 × %3, ein Format für alle</translation>
    </message>
    <message>
        <source>
The experts&apos; router: not quantizable, kept as stored (llama-quantize&apos;s rule)</source>
        <translation>
Router der Experten: nicht quantisierbar, bleibt wie gespeichert (Regel von llama-quantize)</translation>
    </message>
    <message>
        <source>
Not quantizable: kept as stored</source>
        <translation>
Nicht quantisierbar: bleibt wie gespeichert</translation>
    </message>
</context>
<context>
    <name>qs::ui::PlotView</name>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="204"/>
        <source>%1
%2: %3 %4</source>
        <translation>%1
%2: %3 %4</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="229"/>
        <source>global</source>
        <translation>global</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="315"/>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="316"/>
        <source>Export PDF…</source>
        <translation>PDF exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="317"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="319"/>
        <source>Reset zoom</source>
        <translation>Zoom zurücksetzen</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="327"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="330"/>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF-Dokumente (*.pdf)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="333"/>
        <source>CSV tables (*.csv)</source>
        <translation>CSV-Tabellen (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="336"/>
        <location filename="../ui/plots/plot_view.cpp" line="353"/>
        <source>Export plot</source>
        <translation>Diagramm exportieren</translation>
    </message>
    <message>
        <location filename="../ui/plots/plot_view.cpp" line="354"/>
        <source>Could not write %1.</source>
        <translation>%1 konnte nicht geschrieben werden.</translation>
    </message>
</context>
<context>
    <name>qs::ui::ResultsTableModel</name>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="101"/>
        <source>‖W − Q(W)‖ / ‖W‖: lower is better</source>
        <translation>‖W − Q(W)‖ / ‖W‖: kleiner ist besser</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="103"/>
        <source>Signal-to-quantization-noise ratio in dB: higher is better</source>
        <translation>Signal-Quantisierungsrausch-Verhältnis in dB: größer ist besser</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="105"/>
        <source>Cosine similarity of the weights before and after</source>
        <translation>Kosinus-Ähnlichkeit der Gewichte vorher und nachher</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="107"/>
        <source>Mean squared error weighted by the importance matrix</source>
        <translation>Mittlerer quadratischer Fehler, gewichtet mit der Wichtigkeitsmatrix</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="117"/>
        <source>Tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="119"/>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="121"/>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="123"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="125"/>
        <source>Rel. RMSE</source>
        <translation>Rel. RMSE</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="127"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="129"/>
        <source>Cosine</source>
        <translation>Kosinus</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="131"/>
        <source>Max |error|</source>
        <translation>Max. |Fehler|</translation>
    </message>
    <message>
        <location filename="../ui/models/results_table_model.cpp" line="133"/>
        <source>Weighted MSE</source>
        <translation>Gewichteter MSE</translation>
    </message>
</context>
<context>
    <name>qs::ui::SensitivityPlot</name>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="30"/>
        <source>Bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="31"/>
        <source>Relative error</source>
        <translation>Relativer Fehler</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="106"/>
        <source>Chosen</source>
        <translation>Gewählt</translation>
    </message>
    <message>
        <location filename="../ui/plots/sensitivity_plot.cpp" line="148"/>
        <source>%1
%2: %3 bits per weight, error %4</source>
        <translation>%1
%2: %3 Bits pro Gewicht, Fehler %4</translation>
    </message>
</context>
<context>
    <name>qs::ui::SettingsDialog</name>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="50"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
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
        <translation>Gerät, das während der Läufe dequantisiert</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="69"/>
        <source>automatic (%1)</source>
        <translation>automatisch (%1)</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="71"/>
        <source>Worker threads for quantization and evaluation</source>
        <translation>Arbeitsthreads für Quantisierung und Bewertung</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="75"/>
        <source>Text used for perplexity, KL divergence and importance matrices; empty: the bundled Shakespeare text</source>
        <translation>Text für Perplexität, KL-Divergenz und Wichtigkeitsmatrizen; leer: der mitgelieferte Shakespeare-Text</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="78"/>
        <source>system temporary folder</source>
        <translation>temporärer Systemordner</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="79"/>
        <source>Where the reference model&apos;s log-probabilities are cached</source>
        <translation>Wo die Log-Wahrscheinlichkeiten des Referenzmodells zwischengespeichert werden</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="81"/>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="88"/>
        <source>&amp;Backend:</source>
        <translation>&amp;Backend:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="89"/>
        <source>&amp;Device:</source>
        <translation>&amp;Gerät:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="90"/>
        <source>&amp;Threads:</source>
        <translation>&amp;Threads:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="91"/>
        <source>Default &amp;text:</source>
        <translation>Standard&amp;text:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="92"/>
        <source>Choose the evaluation text</source>
        <translation>Bewertungstext wählen</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="93"/>
        <source>&amp;Cache folder:</source>
        <translation>&amp;Cache-Ordner:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="94"/>
        <source>Choose the cache folder</source>
        <translation>Cache-Ordner wählen</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="95"/>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="96"/>
        <source>A new language applies after a restart.</source>
        <translation>Eine neue Sprache gilt nach einem Neustart.</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="111"/>
        <source>Worker threads</source>
        <translation>Arbeitsthreads</translation>
    </message>
    <message>
        <location filename="../ui/dialogs/settings_dialog.cpp" line="113"/>
        <source>Preferred device</source>
        <translation>Bevorzugtes Gerät</translation>
    </message>
</context>
<context>
    <name>qs::ui::SpeedPlot</name>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="21"/>
        <source>Prompt processing (tokens/s)</source>
        <translation>Prompt-Verarbeitung (Token/s)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="23"/>
        <source>Text generation (tokens/s)</source>
        <translation>Textgenerierung (Token/s)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="80"/>
        <source>pp (left axis)</source>
        <translation>pp (linke Achse)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="85"/>
        <source>tg (right axis)</source>
        <translation>tg (rechte Achse)</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="95"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="127"/>
        <source>%1, %2: %3 tokens/s</source>
        <translation>%1, %2: %3 Token/s</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="128"/>
        <source>prompt processing</source>
        <translation>Prompt-Verarbeitung</translation>
    </message>
    <message>
        <location filename="../ui/plots/speed_plot.cpp" line="128"/>
        <source>text generation</source>
        <translation>Textgenerierung</translation>
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
        <translation>Global</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="29"/>
        <source>Layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/tensor_tree_model.cpp" line="109"/>
        <source>%n tensor(s)</source>
        <translation>
            <numerusform>%n Tensor</numerusform>
            <numerusform>%n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="122"/>
        <source>%1
%2, block %3, %4 bits per weight
%5 parameters</source>
        <translation>%1
%2, Block %3, %4 Bits pro Gewicht
%5 Parameter</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="164"/>
        <source>Tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="166"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="168"/>
        <source>Dims</source>
        <translation>Dimensionen</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="170"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../ui/models/tensor_tree_model.cpp" line="172"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>
%1 experts, one format for all (expand for each expert)</source>
        <translation>
%1 Experten, ein Format für alle (aufklappen für jeden Experten)</translation>
    </message>
    <message>
        <source>
The experts&apos; router: not quantizable, kept as stored (llama-quantize&apos;s rule)</source>
        <translation>
Router der Experten: nicht quantisierbar, bleibt wie gespeichert (Regel von llama-quantize)</translation>
    </message>
    <message>
        <source>Expert %1 of %2 in %3: its matrix is quantized with the tensor&apos;s format</source>
        <translation>Experte %1 von %2 in %3: seine Matrix wird im Format des Tensors quantisiert</translation>
    </message>
    <message>
        <source>expert %1</source>
        <translation>Experte %1</translation>
    </message>
</context>
<context>
    <name>qs::ui::VariantErrorPlot</name>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="40"/>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="89"/>
        <source>Mean relative RMSE</source>
        <translation>Mittlerer relativer RMSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="90"/>
        <source>Mean importance-weighted MSE</source>
        <translation>Mittlerer nach Wichtigkeit gewichteter MSE</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="165"/>
        <source>%1, layer %2</source>
        <translation>%1, Schicht %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/plots/variant_error_plot.cpp" line="166"/>
        <source>%1: %2 (%n tensor(s))</source>
        <translation>
            <numerusform>%1: %2 (%n Tensor)</numerusform>
            <numerusform>%1: %2 (%n Tensoren)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="168"/>
        <source>worst: %1 (%2)</source>
        <translation>am schlechtesten: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/plots/variant_error_plot.cpp" line="179"/>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
</context>
<context>
    <name>qs::ui::Workspace</name>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collecting the importance matrix: %1/%2 %3</source>
        <translation>Sammle die Wichtigkeitsmatrix: %1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Importance matrix: %1/%2 %3</source>
        <translation>Wichtigkeitsmatrix: %1/%2 %3</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Importance matrix failed: %1</source>
        <translation>Wichtigkeitsmatrix fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Still opening %1</source>
        <translation>%1 wird noch geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Opening %1…</source>
        <translation>Öffne %1…</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Open failed</source>
        <translation>Öffnen fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Cannot create a scratch folder: %1</source>
        <translation>Arbeitsordner kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Run plan</source>
        <translation>Plan ausführen</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collected the importance matrix %1</source>
        <translation>Wichtigkeitsmatrix %1 gesammelt</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Loaded the importance matrix %1</source>
        <translation>Wichtigkeitsmatrix %1 geladen</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>An importance matrix job is already running.</source>
        <translation>Ein Wichtigkeitsmatrix-Auftrag läuft bereits.</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load importance matrix</source>
        <translation>Wichtigkeitsmatrix laden</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Collect importance matrix</source>
        <translation>Wichtigkeitsmatrix sammeln</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>No model is open.</source>
        <translation>Kein Modell ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Saved the plan to %1</source>
        <translation>Plan in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Open a model before loading a plan.</source>
        <translation>Vor dem Laden eines Plans ein Modell öffnen.</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load plan %1</source>
        <translation>Plan %1 laden</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Applied %n tensor type(s).</source>
        <translation>
            <numerusform>%n Tensortyp übernommen.</numerusform>
            <numerusform>%n Tensortypen übernommen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%n planned tensor(s) are not in this model: %1</source>
        <translation>
            <numerusform>%n geplanter Tensor ist nicht in diesem Modell: %1</numerusform>
            <numerusform>%n geplante Tensoren sind nicht in diesem Modell: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%n tensor(s) cannot take the planned type: %1</source>
        <translation>
            <numerusform>%n Tensor kann den geplanten Typ nicht annehmen: %1</numerusform>
            <numerusform>%n Tensoren können den geplanten Typ nicht annehmen: %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Saved the session to %1</source>
        <translation>Sitzung in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>%1 names no model.</source>
        <translation>%1 nennt kein Modell.</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Load session</source>
        <translation>Sitzung laden</translation>
    </message>
    <message>
        <location filename="../ui/workspace/workspace.cpp"/>
        <source>Loaded the session %1</source>
        <translation>Sitzung %1 geladen</translation>
    </message>
</context>
<context>
    <name>qs::ui::FileActions</name>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load &amp;Plan…</source>
        <translation>&amp;Plan laden…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&amp;Save Plan…</source>
        <translation>Plan &amp;speichern…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Sessio&amp;n…</source>
        <translation>Sitzu&amp;ng öffnen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Session &amp;As…</source>
        <translation>Sitzung speichern &amp;unter…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load &amp;Importance Matrix…</source>
        <translation>&amp;Wichtigkeitsmatrix laden…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&amp;Collect Importance Matrix…</source>
        <translation>Wichtigkeitsmatrix &amp;sammeln…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Cancel Importance Matrix</source>
        <translation>Wichtigkeitsmatrix abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Se&amp;ttings…</source>
        <translation>Ei&amp;nstellungen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>Modelle (*.gguf *.safetensors *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Hugging Face Model Folder</source>
        <translation>Hugging-Face-Modellordner öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load Plan</source>
        <translation>Plan laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope plans (*.json);;All files (*)</source>
        <translation>Quantscope-Pläne (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Plan</source>
        <translation>Plan speichern</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope plans (*.json)</source>
        <translation>Quantscope-Pläne (*.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Open Session</source>
        <translation>Sitzung öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope sessions (*.qsession.json *.json);;All files (*)</source>
        <translation>Quantscope-Sitzungen (*.qsession.json *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Save Session</source>
        <translation>Sitzung speichern</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Quantscope sessions (*.qsession.json)</source>
        <translation>Quantscope-Sitzungen (*.qsession.json)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Load Importance Matrix</source>
        <translation>Wichtigkeitsmatrix laden</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Importance matrices (*.gguf *.dat);;All files (*)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf *.dat);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Collect Importance Matrix on %1</source>
        <translation>Wichtigkeitsmatrix auf %1 sammeln</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>Importance matrices (*.gguf)</source>
        <translation>Wichtigkeitsmatrizen (*.gguf)</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>About Quantscope</source>
        <translation>Über Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/file_actions.cpp"/>
        <source>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;A workbench for quantizing large language models: per-layer formats, error against FP16, GGUF and GPTQ export.</source>
        <translation>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;Eine Werkbank zum Quantisieren großer Sprachmodelle: Formate pro Schicht, Fehler gegenüber FP16, Export als GGUF und GPTQ.</translation>
    </message>
</context>
</TS>
