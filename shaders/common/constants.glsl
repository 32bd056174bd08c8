const float PI = 3.14159265358979;
const float TWO_PI = 6.28318530717959;

// Per-axis variance (px²) that bilinear upsampling by `scale` adds: a tent `scale` pixels
// wide on each side.
float upsampling_variance(float scale) {
    return scale * scale / 6.0;
}
