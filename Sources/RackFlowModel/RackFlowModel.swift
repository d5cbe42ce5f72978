/// RackFlowModel: what a rack is made of — configs, the hardware catalogue, rack, node and
/// part geometry, the grid generator and the voxeliser — compiled down to a `FlowCase`.
/// Model knows nothing of files it does not read and nothing of solver internals.
public enum RackFlowModel {
    public static let version = "0.1.0"
}
