import Foundation

/// Fan spin and vibration from per-frame rpm, sampled for USD.
///
/// Spin: the blade angle is the integral of the rpm, which is taken as linear between frames,
/// so within a frame θ(f + s) = θ(f) + 6°/fps · (rpm_f s + (rpm_{f+1} − rpm_f) s²/2) (degrees,
/// unwrapped: it keeps growing, so linear interpolation between samples turns the right way
/// however many turns a frame holds).
///
/// Vibration: an axial displacement at the blade-pass frequency f_bp = rpm/60 · blades, in phase
/// with the blades, z(t) = a(t) · sin(blades · θ(t)), with amplitude a = a_ref (rpm/rpm_ref)²
/// (`StageRecording.FanMotionModel`; a_ref is a named assumption, not a measurement).
///
/// Sampling rules, per frame interval [f, f+1), samples at f + k/n (n a power of two, so the
/// time codes are exact binary fractions), n capped at `maxSamplesPerFrame`:
/// - spin: USD interpolates the angle linearly between samples, which is exact at constant
///   speed; while the speed changes the angle is quadratic and the chord is off by at most
///   |Δrpm| · 6/fps / 8 / n² degrees, so n is the smallest power of two that brings this under
///   `spinToleranceDeg` (a steady fan needs only frame samples);
/// - vibration: n ≥ samplesPerPeriod · f_bp / fps (four samples per blade-pass period).
/// Running fans (blade pass ~350 Hz–1.4 kHz against 24 fps) always hit the vibration cap, so
/// the sampled displacement aliases: a jitter with the right amplitude envelope at a false,
/// lower frequency; the spin likewise shows the wagon-wheel effect when rendered without motion
/// blur. The true frequency is in `vibration:frequencyHz` and `fan:rpm` (per frame) for a
/// procedural shake in Houdini; the samples are right for motion blur of the spin and for the
/// amplitude of the vibration.
public enum FanMotion {
    public struct Sample: Equatable, Sendable {
        /// Time code (frame number plus a fraction).
        public var time: Double
        /// Spin angle (degrees, unwrapped) or axial displacement (metres).
        public var value: Double
    }

    public static func bladePassHz(rpm: Double, blades: Int) -> Double { rpm / 60 * Double(blades) }

    public static func amplitudeM(rpm: Double, model: StageRecording.FanMotionModel) -> Double {
        let r = rpm / model.referenceRPM
        return model.referenceAmplitudeM * r * r
    }

    private static func powerOfTwo(atLeast need: Double, cap: Int) -> Int {
        var n = 1
        while Double(n) < need && n < cap { n *= 2 }
        return n
    }

    /// Spin samples for the frame interval from `rpm0` to `rpm1` (rule above).
    public static func spinSamplesPerFrame(
        rpm0: Double, rpm1: Double, fps: Double, model: StageRecording.FanMotionModel
    ) -> Int {
        let chordError = Swift.abs(rpm1 - rpm0) * 6 / fps / 8
        return powerOfTwo(atLeast: (chordError / model.spinToleranceDeg).squareRoot(), cap: model.maxSamplesPerFrame)
    }

    /// Vibration samples for the frame interval from `rpm0` to `rpm1` (rule above).
    public static func vibrationSamplesPerFrame(
        rpm0: Double, rpm1: Double, blades: Int, fps: Double,
        model: StageRecording.FanMotionModel
    ) -> Int {
        let need = Double(model.samplesPerPeriod) * bladePassHz(rpm: max(rpm0, rpm1), blades: blades) / fps
        return powerOfTwo(atLeast: need, cap: model.maxSamplesPerFrame)
    }

    /// Spin angle at frame index `i` (from `firstFrame`) plus fraction `s`, given the angles at frames.
    private static func angle(_ frameAngles: [Double], _ rpm: [Double], _ i: Int, _ s: Double, _ fps: Double) -> Double
    {
        guard s > 0 else { return frameAngles[i] }
        let r0 = rpm[i], r1 = rpm[i + 1]
        return frameAngles[i] + 6 / fps * (r0 * s + (r1 - r0) * s * s / 2)
    }

    private static func frameAngles(_ rpm: [Double], _ fps: Double, _ phaseDeg: Double) -> [Double] {
        var a = [phaseDeg]
        a.reserveCapacity(rpm.count)
        for i in 0..<max(0, rpm.count - 1) { a.append(a[i] + 6 / fps * (rpm[i] + rpm[i + 1]) / 2) }
        return a
    }

    /// Blade angle samples of one fan (degrees): `rpm[i]` is frame `firstFrame + i`; starts at `phaseDeg`.
    public static func spin(
        rpm: [Double], firstFrame: Int, fps: Double, phaseDeg: Double,
        model: StageRecording.FanMotionModel
    ) -> [Sample] {
        sampled(rpm, firstFrame, fps, phaseDeg) { i in
            spinSamplesPerFrame(rpm0: rpm[i], rpm1: rpm[i + 1], fps: fps, model: model)
        } value: { angle, _ in
            angle
        }
    }

    /// Axial displacement samples of one fan (metres), in phase with `spin`.
    public static func vibration(
        rpm: [Double], firstFrame: Int, fps: Double, blades: Int, phaseDeg: Double,
        model: StageRecording.FanMotionModel
    ) -> [Sample] {
        let b = Double(blades)
        return sampled(rpm, firstFrame, fps, phaseDeg) { i in
            vibrationSamplesPerFrame(rpm0: rpm[i], rpm1: rpm[i + 1], blades: blades, fps: fps, model: model)
        } value: { angle, r in
            let d = amplitudeM(rpm: r, model: model) * Foundation.sin(b * angle * .pi / 180)
            return Swift.abs(d) < 1e-15 ? 0 : d // no 1e-18 noise where the sine is zero
        }
    }

    private static func sampled(
        _ rpm: [Double], _ firstFrame: Int, _ fps: Double, _ phaseDeg: Double,
        count: (Int) -> Int, value: (Double, Double) -> Double
    ) -> [Sample] {
        guard !rpm.isEmpty else { return [] }
        let frames = frameAngles(rpm, fps, phaseDeg)
        var out: [Sample] = []
        out.reserveCapacity(rpm.count * 2)
        for i in 0..<(rpm.count - 1) {
            let n = count(i)
            for k in 0..<n {
                let s = Double(k) / Double(n)
                let r = rpm[i] + (rpm[i + 1] - rpm[i]) * s
                out.append(Sample(time: Double(firstFrame + i) + s, value: value(angle(frames, rpm, i, s, fps), r)))
            }
        }
        let last = rpm.count - 1
        out.append(Sample(time: Double(firstFrame + last), value: value(frames[last], rpm[last])))
        return out
    }
}
