import { describe, expect, it } from 'vitest';
import { estimateSeconds, SpeedMeter } from '../../../web/speed.js';

describe('SpeedMeter', () => {
  it('knows nothing until two samples far enough apart', () => {
    const meter = new SpeedMeter();
    meter.sample(0, 0);
    expect(meter.bytesPerSecond).toBeUndefined();
    meter.sample(100, 50); // closer than minIntervalMs: accumulated, not averaged
    expect(meter.bytesPerSecond).toBeUndefined();
    meter.sample(1000, 1000);
    expect(meter.bytesPerSecond).toBe(1000);
  });

  it('converges on a steady rate', () => {
    const meter = new SpeedMeter();
    for (let t = 0; t <= 20_000; t += 250) meter.sample(t * 2, t); // 2000 B/s
    expect(meter.bytesPerSecond).toBeCloseTo(2000, 6);
  });

  it('smooths a one-off burst instead of jumping to it', () => {
    const meter = new SpeedMeter({ timeConstantMs: 2000 });
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 500) {
      meter.sample(bytes, t);
      bytes += 500; // 1000 B/s
    }
    // One 500 ms interval at 10× the rate.
    bytes += 4500;
    meter.sample(bytes, 10_500);
    const speed = meter.bytesPerSecond!;
    expect(speed).toBeGreaterThan(1000);
    expect(speed).toBeLessThan(4000);
  });

  it('never reports a negative speed when the count goes backwards', () => {
    const meter = new SpeedMeter();
    meter.sample(5000, 0);
    meter.sample(1000, 1000);
    expect(meter.bytesPerSecond).toBe(0);
  });
});

describe('estimateSeconds', () => {
  it('divides what is left by the speed', () => {
    expect(estimateSeconds(10_000, 2000)).toBe(5);
    expect(estimateSeconds(-5, 2000)).toBe(0);
  });

  it('is unknown without a positive speed', () => {
    expect(estimateSeconds(10, undefined)).toBeUndefined();
    expect(estimateSeconds(10, 0)).toBeUndefined();
  });
});
