#include "vkcompute/device_info.h"

#include <QTest>

using namespace qs::vk;

class TestDeviceInfo : public QObject {
    Q_OBJECT

private slots:
    void enumeratesAtLeastOneComputeDevice() {
        auto devices = enumerateDevices();
        if (!devices) {
            QSKIP(devices.error().message.c_str());
        }
        QVERIFY2(!devices->empty(), "CI installs mesa-vulkan-drivers: lavapipe must be listed");
        for (const auto& d : *devices) {
            QVERIFY(!d.name.empty());
            QVERIFY(d.maxStorageBufferRange > 0);
            QVERIFY(d.apiVersionMajor >= 1);
        }
    }

    void preferenceOrderIsDiscreteIntegratedCpu() {
        std::vector<DeviceInfo> list(3);
        list[0].kind = DeviceKind::Cpu;
        list[1].kind = DeviceKind::IntegratedGpu;
        list[2].kind = DeviceKind::DiscreteGpu;
        QCOMPARE(preferredDeviceIndex(list), std::size_t(2));
        list[2].kind = DeviceKind::Cpu;
        QCOMPARE(preferredDeviceIndex(list), std::size_t(1));
        list[1].kind = DeviceKind::Cpu;
        QCOMPARE(preferredDeviceIndex(list), std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestDeviceInfo)
#include "tst_device_info.moc"
