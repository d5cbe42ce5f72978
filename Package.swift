// swift-tools-version:6.0
// RackFlow: airflow and thermal solver for sealed GPU server racks.
// Dependencies point one way: rackflow (CLI) -> RackFlowBench -> RackFlowPhysics -> RackFlowNumerics -> CLinearAlgebra.
import PackageDescription

// Hot loops index through unsafe pointers (no bounds checks there). Release builds keep
// -O rather than -Ounchecked: preconditions guard sizes between solver parts, and
// dropping them turned a size mismatch into silent heap corruption once.
let fast: [SwiftSetting] = []

let package = Package(
    name: "RackFlow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rackflow", targets: ["rackflow"]),
        .library(name: "RackFlowNumerics", targets: ["RackFlowNumerics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // Debian's OpenBLAS (CBLAS interface) and LAPACKE, seen through one module map.
        .systemLibrary(
            name: "CLinearAlgebra",
            path: "Sources/CLinearAlgebra",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Debian's libpng (simplified API) for PNG slice pictures.
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            providers: [.apt(["libpng-dev"])]
        ),
        .target(
            name: "RackFlowNumerics",
            dependencies: ["CLinearAlgebra"],
            swiftSettings: fast
        ),
        .target(
            name: "RackFlowPhysics",
            dependencies: ["RackFlowNumerics"],
            swiftSettings: fast
        ),
        // Rack, node and part geometry, configs and grid generation (issue 4).
        .target(
            name: "RackFlowModel",
            dependencies: ["RackFlowPhysics", "RackFlowNumerics", .product(name: "Yams", package: "Yams")],
            swiftSettings: fast
        ),
        // Results for people and tools: VTI (ParaView), PNG slices; later summaries, USD, VDB.
        .target(
            name: "RackFlowExport",
            dependencies: ["RackFlowModel", "RackFlowPhysics", "RackFlowNumerics", "CPNG"],
            swiftSettings: fast
        ),
        .target(
            name: "RackFlowBench",
            dependencies: ["RackFlowNumerics", "RackFlowPhysics"],
            swiftSettings: fast
        ),
        .executableTarget(
            name: "rackflow",
            dependencies: [
                "RackFlowNumerics", "RackFlowPhysics", "RackFlowModel", "RackFlowBench", "RackFlowExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast
        ),
        .testTarget(
            name: "RackFlowNumericsTests",
            dependencies: ["RackFlowNumerics", "RackFlowBench"]
        ),
        .testTarget(
            name: "RackFlowPhysicsTests",
            dependencies: ["RackFlowPhysics", "RackFlowNumerics"]
        ),
        .testTarget(
            name: "RackFlowModelTests",
            dependencies: ["RackFlowModel", "RackFlowNumerics", "RackFlowPhysics"]
        ),
        .testTarget(
            name: "RackFlowExportTests",
            dependencies: ["RackFlowExport", "RackFlowPhysics", "RackFlowNumerics", "CPNG"]
        ),
        // Validation against published benchmarks and closed forms (run in release).
        .testTarget(
            name: "RackFlowValidationTests",
            dependencies: ["RackFlowPhysics", "RackFlowNumerics", "RackFlowBench", "RackFlowModel"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
