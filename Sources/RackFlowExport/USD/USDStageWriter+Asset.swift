import Foundation

/// The node asset layers (`assets/<type>.usda`): each node type once, in its own frame, referenced
/// by every node of that type on the stage.
extension USDStageWriter {
    /// A box per part, each with its name, kind and colour (names made unique as prim names).
    func writeParts(_ b: inout TextBuffer, _ parts: [StageRecording.Part]) {
        var used = Set<String>()
        func unique(_ s: String) -> String {
            var n = USDText.identifier(s), k = 2
            let base = n
            while !used.insert(n).inserted {
                n = "\(base)_\(k)"
                k += 1
            }
            return n
        }
        for part in parts {
            cube(&b, 2, name: unique(part.name), box: part.box, kind: "subcomponent") { b in
                b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(part.name))")
                b.usdLine(3, "custom string rackflow:partKind = \(USDText.quoted(part.kind))")
                b.usdIndent(3)
                b.append("color3f[] primvars:displayColor = [")
                colour(&b, part.colour)
                b.append("] (\n")
                b.usdLine(4, "interpolation = \"constant\"")
                b.usdLine(3, ")")
            }
        }
    }

    /// The static shroud of each fan; the spinning rotors are per fan in the stage.
    func writeFanShrouds(_ b: inout TextBuffer, _ fans: [StageRecording.Fan]) {
        for (i, fan) in fans.enumerated() {
            b.usdPrimOpen(2, "def Xform \"Fan_\(i + 1)\"", kind: "subcomponent")
            b.usdLine(3, "custom string rackflow:name = \(USDText.quoted(fan.name))")
            b.usdIntLine(3, "custom int fan:bladeCount", fan.bladeCount)
            b.usdNumberLine(3, "custom double fan:radiusM", fan.radius)
            fanPlacement(&b, 3, centre: fan.centre, axis: fan.axis)
            b.usdLine(3, "def Cylinder \"Shroud\"")
            b.usdLine(3, "{")
            let r = fan.radius * 1.05, h = fan.radius * 0.5
            b.usdLine(4, "uniform token axis = \"Z\"")
            b.usdNumberLine(4, "double radius", r)
            b.usdNumberLine(4, "double height", h)
            b.usdIndent(4)
            b.append("float3[] extent = [")
            b.usdVector(SIMD3(-r, -r, -h / 2))
            b.append(", ")
            b.usdVector(SIMD3(r, r, h / 2))
            b.append("]\n")
            b.usdConstantPrimvar(4, "color3f[] primvars:displayColor", "[(0.05, 0.05, 0.05)]")
            b.usdConstantPrimvar(4, "float[] primvars:displayOpacity", "[0.35]")
            b.usdLine(3, "}")
            b.usdLine(2, "}")
        }
    }

    /// `assets/<type>.usda`: the node type in its own frame (origin at the chassis' min corner).
    public func assetLayer(_ asset: StageRecording.NodeAsset) -> TextBuffer {
        var b = TextBuffer(capacity: 8192)
        let root = USDText.identifier(asset.name)
        b.usdLayerHeader(
            defaultPrim: root,
            doc:
                "RackFlow node type \(asset.name): chassis, parts and static fan shrouds, metres, origin at the "
                + "chassis' min corner",
            timing: nil, upAxis: recording.upAxis.rawValue)
        b.append("def Xform \(USDText.quoted(root)) (\n")
        b.usdLine(1, "kind = \"component\"")
        b.append(")\n{\n")
        b.usdLine(1, "custom string rackflow:nodeType = \(USDText.quoted(asset.name))")
        b.usdLine(
            1, "# default colour for the asset on its own; the stage's node instances override it with the heat map"
        )
        b.usdConstantPrimvar(1, "color3f[] primvars:displayColor", "[(0.18, 0.18, 0.2)]")
        b.byte(10)
        b.usdLine(1, "# the chassis shell authors no colour: it inherits the node's (heat map) displayColor")
        cube(&b, 1, name: "Chassis", box: StageRecording.Box(min: .zero, max: asset.size), kind: "subcomponent") { b in
            b.usdConstantPrimvar(2, "float[] primvars:displayOpacity", "[0.3]")
        }
        b.byte(10)
        b.usdLine(1, "def Scope \"Parts\"")
        b.usdLine(1, "{")
        writeParts(&b, asset.parts)
        b.usdLine(1, "}")
        b.byte(10)
        b.usdLine(
            1,
            "# static shrouds; the spinning rotors are per fan in the stage (Rack_NN/Fans), since these are instanced")
        b.usdLine(1, "def Scope \"Fans\"")
        b.usdLine(1, "{")
        writeFanShrouds(&b, asset.fans)
        b.usdLine(1, "}")
        b.append("}\n")
        return b
    }
}
