import Foundation
import CMPI
import RackFlowModel

/// The ranks of an `mpirun` job, through the CMPI shim. Only built when the process was
/// launched by mpirun (`MPIComm.launched`); a plain run uses `SingleProcess` and never
/// initialises MPI. Only the main thread calls MPI (MPI_THREAD_FUNNELED).
final class MPIComm: RoomComm {
    let rank: Int
    let size: Int

    static var launched: Bool { cmpi_launched() != 0 }

    init() throws {
        // A rank waiting in a collective (its racks done while rank 0 writes the results and
        // solves the room air on every core) yields its core instead of spinning on it. Open MPI
        // reads its MCA parameters from the environment at MPI_Init; a value the user set wins.
        setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0)
        try Self.check(cmpi_init(), "MPI_Init_thread")
        rank = Int(cmpi_rank())
        size = Int(cmpi_size())
    }

    static func check(_ rc: Int32, _ what: String) throws {
        guard rc != 0 else { return }
        var buf = [CChar](repeating: 0, count: 512)
        cmpi_error_string(rc, &buf, Int32(buf.count))
        throw RoomError.coupling("\(what) failed: \(String(cString: buf))")
    }

    func allreduceSum(_ v: [Double]) throws -> [Double] {
        var out = v
        try out.withUnsafeMutableBufferPointer {
            try Self.check(cmpi_allreduce_sum($0.baseAddress, Int32($0.count)), "MPI_Allreduce")
        }
        return out
    }

    func gather(_ bytes: Data) throws -> [Data] {
        guard bytes.count < Int(Int32.max) else {
            throw RoomError.coupling("gather of \(bytes.count) bytes exceeds MPI's 2 GiB count")
        }
        var counts = [Int32](repeating: 0, count: size)
        try Self.check(cmpi_gather_int(Int32(bytes.count), &counts), "MPI_Gather")
        var displs = [Int32](repeating: 0, count: size)
        var total = 0
        for r in 0..<size {
            displs[r] = Int32(total)
            total += Int(counts[r])
        }
        if rank == 0 && total >= Int(Int32.max) {
            throw RoomError.coupling("gather of \(total) bytes exceeds MPI's 2 GiB displacement")
        }
        var out = [UInt8](repeating: 0, count: rank == 0 ? max(total, 1) : 1)
        var send = [UInt8](bytes)
        if send.isEmpty { send = [0] }
        try send.withUnsafeBytes { s in
            try out.withUnsafeMutableBytes { o in
                try Self.check(
                    cmpi_gatherv_bytes(s.baseAddress, Int32(bytes.count), o.baseAddress, counts, displs), "MPI_Gatherv")
            }
        }
        guard rank == 0 else { return [] }
        return (0..<size).map { r in Data(out[Int(displs[r])..<Int(displs[r]) + Int(counts[r])]) }
    }

    func abort(_ message: String, code: Int32) -> Never {
        cmpi_abort(message, code)
        exit(code)
    }

    func finalize() { _ = cmpi_finalize() }
}
