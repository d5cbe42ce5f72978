// swift-tools-version:6.0
// RackFlow: airflow and thermal solver for sealed GPU server racks.
//
// Targets, each depending only on those below it:
//   rackflow (command line: options, messages, exit codes, signal handling)
//     RackFlowFuzz     input fuzzing and the generator of unseen sane cases
//     RackFlowExport   results for people and tools: reports, PNG, VTK, OpenVDB, USD
//     RackFlowBench    benchmarks (Poisson, cavity, heated box, pressure solve)
//     RackFlowModel    racks, nodes, parts, rooms and scenarios: input, grids, runs, summaries
//     RackFlowPhysics  the finite-volume flow and energy solver on a staggered grid
//     RackFlowNumerics grids, fields, stencils, multigrid, Krylov solvers, BLAS/LAPACK calls
//   C modules: CLinearAlgebra (OpenBLAS, LAPACKE), CVDB (OpenVDB), CMPI (Open MPI), CPNG (libpng).
// Tests: one target per library, RackFlowValidationTests (published data and closed forms),
// RackFlowCLITests (tests that drive the rackflow binary), over RackFlowTestSupport.
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
        // OpenVDB field caches: a small C++17 target with a plain C header
        // (include/CVDB.h) over Debian's libopenvdb-dev; its headers need libboost1.81-dev
        // (DESIGN §8). Library names as Debian ships them: libopenvdb, libtbb, libImath-3_1.
        .target(
            name: "CVDB",
            path: "Sources/CVDB",
            linkerSettings: [.linkedLibrary("openvdb"), .linkedLibrary("tbb"), .linkedLibrary("Imath-3_1")]
        ),
        // Open MPI: a plain C shim over Debian's libopenmpi-dev, whose MPI_COMM_WORLD,
        // MPI_DOUBLE and MPI_SUM are macros Swift cannot import (DESIGN §8). mpi.h lives under
        // the openmpi include folder (pkg-config ompi-c); libmpi.so is on the default path.
        .target(
            name: "CMPI",
            path: "Sources/CMPI",
            cSettings: [
                .unsafeFlags([
                    "-I/usr/lib/x86_64-linux-gnu/openmpi/include",
                    "-I/usr/lib/x86_64-linux-gnu/openmpi/include/openmpi",
                ])
            ],
            linkerSettings: [.linkedLibrary("mpi")]
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
        // Rack, node and part geometry, configs and grid generation, runs and their summaries.
        .target(
            name: "RackFlowModel",
            dependencies: ["RackFlowPhysics", "RackFlowNumerics", .product(name: "Yams", package: "Yams")],
            swiftSettings: fast
        ),
        // Results for people and tools: VTI (ParaView), PNG slices, OpenVDB caches, USD stages.
        .target(
            name: "RackFlowExport",
            dependencies: ["RackFlowModel", "RackFlowPhysics", "RackFlowNumerics", "CPNG", "CVDB"],
            swiftSettings: fast
        ),
        // Fuzzing of the bundled inputs and the seeded family of unseen sane cases.
        .target(
            name: "RackFlowFuzz",
            dependencies: [
                "RackFlowModel", "RackFlowPhysics", "RackFlowNumerics", .product(name: "Yams", package: "Yams"),
            ],
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
                "RackFlowFuzz",
                "CMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast
        ),
        // Helpers shared by the test targets: the repository's paths, scratch folders, the
        // rackflow binary and the Python checkers (not shipped; only test targets use it).
        .target(
            name: "RackFlowTestSupport",
            path: "Tests/RackFlowTestSupport"
        ),
        .testTarget(
            name: "RackFlowNumericsTests",
            dependencies: ["RackFlowNumerics", "RackFlowBench"]
        ),
        .testTarget(
            name: "RackFlowPhysicsTests",
            dependencies: ["RackFlowPhysics", "RackFlowNumerics", "RackFlowBench"]
        ),
        .testTarget(
            name: "RackFlowModelTests",
            dependencies: [
                "RackFlowModel", "RackFlowNumerics", "RackFlowPhysics", "RackFlowFuzz", "RackFlowTestSupport",
            ]
        ),
        .testTarget(
            name: "RackFlowExportTests",
            dependencies: [
                "RackFlowExport", "RackFlowPhysics", "RackFlowNumerics", "RackFlowModel", "CPNG", "RackFlowTestSupport",
            ]
        ),
        // Tests that run the rackflow binary (what `swift test` built beside them): checkpoints
        // and resume, MPI, room and surge stages, comparisons, sweeps, grid studies.
        .testTarget(
            name: "RackFlowCLITests",
            dependencies: [
                "RackFlowExport", "RackFlowPhysics", "RackFlowNumerics", "RackFlowModel", "RackFlowTestSupport",
            ]
        ),
        // Validation against published benchmarks and closed forms (run in release).
        // Resources: the published benchmark tables (Ghia 1982, de Vahl Davis 1983), kept in the
        // repository so that a fresh clone has them; read through Bundle.module.
        .testTarget(
            name: "RackFlowValidationTests",
            dependencies: [
                "RackFlowPhysics", "RackFlowNumerics", "RackFlowBench", "RackFlowModel", "RackFlowTestSupport",
            ],
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v5],
    // For CVDB (OpenVDB 10 needs C++17).
    cxxLanguageStandard: .cxx17
)
