import Foundation
import RackFlowNumerics

/// A run stopped on request (SIGINT, SIGTERM) after writing a checkpoint: a steady solve or a
/// surge at an outer iteration (a surge also at a frame), a room at a coupling iteration. Every
/// command says how to resume from `folder` and exits 130 / 143.
public struct RunInterrupted: RackFlowError {
    /// What `iteration` counts.
    public enum Boundary: Sendable {
        /// The solver's outer iterations (steady solve, surge).
        case outerIteration
        /// The room's plenum coupling iterations.
        case couplingIteration
        /// A room surge's frames (`iteration` is the frame).
        case frame
    }
    public var folder: URL
    public var iteration: Int
    public var frame: Int?
    public var after: Boundary
    public init(folder: URL, iteration: Int, frame: Int?, after: Boundary = .outerIteration) {
        self.folder = folder
        self.iteration = iteration
        self.frame = frame
        self.after = after
    }
    public var description: String {
        switch after {
        case .outerIteration:
            return "stopped at outer iteration \(iteration)\(frame.map { ", frame \($0)" } ?? ""); checkpoint written "
                + "to \(folder.path)"
        case .couplingIteration:
            return "stopped after coupling iteration \(iteration); checkpoint written to \(folder.path)"
        case .frame:
            return "stopped after frame \(iteration); checkpoint written to \(folder.path)"
        }
    }
}

extension RunInterrupted {
    /// The checkpoint folder the run can be resumed from.
    public var file: String? { folder.path }
    public var keyPath: String { "" }
    public var problem: String { description }
}
