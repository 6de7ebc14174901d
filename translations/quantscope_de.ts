<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/windows/main_window.ui" line="9"/>
        <source>Quantscope</source>
        <translation>Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="16"/>
        <source>No model open. Use File → Open to load a GGUF, safetensors or llama2.c model.</source>
        <translation>Kein Modell geöffnet. Mit Datei → Öffnen ein GGUF-, safetensors- oder llama2.c-Modell laden.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="34"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="42"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="52"/>
        <source>&amp;Open Model…</source>
        <translation>Modell ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="55"/>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="60"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="63"/>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.ui" line="68"/>
        <source>&amp;About Quantscope</source>
        <translation>Ü&amp;ber Quantscope</translation>
    </message>
</context>
<context>
    <name>qs::ui::MainWindow</name>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="28"/>
        <source>Cannot open %1: no such file or folder.</source>
        <translation>%1 kann nicht geöffnet werden: Datei oder Ordner existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="29"/>
        <location filename="../ui/windows/main_window.cpp" line="34"/>
        <source>Open failed</source>
        <translation>Öffnen fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="33"/>
        <source>Cannot open %1: permission denied.</source>
        <translation>%1 kann nicht geöffnet werden: Zugriff verweigert.</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="40"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;%3</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;%3</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="42"/>
        <source>%1 — Quantscope</source>
        <translation>%1 — Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="43"/>
        <source>Opened %1 (%2)</source>
        <translation>%1 geöffnet (%2)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="50"/>
        <source>Open Model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="51"/>
        <source>Models (*.gguf *.safetensors *.bin);;All files (*)</source>
        <translation>Modelle (*.gguf *.safetensors *.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="58"/>
        <source>About Quantscope</source>
        <translation>Über Quantscope</translation>
    </message>
    <message>
        <location filename="../ui/windows/main_window.cpp" line="59"/>
        <source>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;A workbench for quantizing large language models: per-layer formats, error against FP16, GGUF and GPTQ export.</source>
        <translation>&lt;b&gt;Quantscope %1&lt;/b&gt;&lt;p&gt;Eine Werkbank zum Quantisieren großer Sprachmodelle: Formate pro Schicht, Fehler gegenüber FP16, Export als GGUF und GPTQ.</translation>
    </message>
</context>
</TS>
