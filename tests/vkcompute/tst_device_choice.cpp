// The --device spelling shared by the GUI and the CLI (vkcompute/device_choice.h).
#include "vkcompute/device_choice.h"

#include <QTest>

using namespace qs;

class TestDeviceChoice : public QObject {
    Q_OBJECT
private slots:
    void acceptedForms() {
        auto cpu = vk::parseDeviceChoice("cpu");
        QVERIFY(cpu);
        QVERIFY(cpu->cpu);

        auto preferred = vk::parseDeviceChoice("vulkan");
        QVERIFY(preferred);
        QVERIFY(!preferred->cpu);
        QCOMPARE(preferred->vulkanIndex, -1);

        auto second = vk::parseDeviceChoice("vulkan:12");
        QVERIFY(second);
        QVERIFY(!second->cpu);
        QCOMPARE(second->vulkanIndex, 12);
    }

    void rejectedForms_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString index = QStringLiteral("expected vulkan:N with N >= 0");
        const QString any = QStringLiteral("expected cpu, vulkan or vulkan:N");
        QTest::newRow("empty index") << "vulkan:" << index;
        QTest::newRow("negative") << "vulkan:-1" << index;
        QTest::newRow("plus sign") << "vulkan:+1" << index;
        QTest::newRow("trailing text") << "vulkan:1x" << index;
        QTest::newRow("space") << "vulkan: 1" << index;
        QTest::newRow("overflow") << "vulkan:99999999999" << index;
        QTest::newRow("typo") << "vulcan" << any;
        QTest::newRow("upper case") << "CPU" << any;
        QTest::newRow("empty") << "" << any;
    }
    void rejectedForms() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto choice = vk::parseDeviceChoice(text.toStdString());
        QVERIFY(!choice);
        QCOMPARE(choice.error().code, core::ErrorCode::InvalidArgument);
        const QString message = QString::fromStdString(choice.error().message);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QLatin1Char('\'') + text + QLatin1Char('\'')),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestDeviceChoice)
#include "tst_device_choice.moc"
