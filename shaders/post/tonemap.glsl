#version 330 core
// Last pass: exposure, filmic tone curve and sRGB encoding, after depth of field, so
// highlights far above 1.0 keep their energy through the blur and bloom into bokeh.
// Also draws the viewer's debug views (depth, signed CoC) and focus peaking.
// The view and peaking are compile-time switches (VIEW 0/1/2, FOCUS_PEAKING 0/1), one
// program each: a software rasteriser (Mesa llvmpipe) runs both sides of every branch,
// even one on a uniform, so every pixel would pay for the views it does not show
// (docs/shaders.md has the figure).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_linear;
uniform sampler2D u_color_invd; // a = inverse depth x light weight (common/inverse_depth.glsl)
uniform sampler2D u_depth;      // view depth in metres
uniform float u_exposure;       // 2^EV
uniform float u_focus_distance;
uniform vec2 u_dof_zone;         // near and far limits of acceptable sharpness, metres
                                 // (dofviewer.shot.dofcalc; far 1e6 stands for infinity)
uniform ivec2 u_offset;         // the guard band: where the frame starts in the inputs
layout(location = 0) out vec4 out_color;

// Narkowicz's fit of the ACES reference rendering transform: a soft shoulder that
// keeps saturated highlights from clipping hard.
// A photo (DISPLAY_REFERRED) was display-referred sRGB already: only clipped, so it
// round-trips, and boosted highlights (dofviewer/content/photo.py) clip back to white.
vec3 tone_curve(vec3 x) {
#if DISPLAY_REFERRED
    return clamp(x, 0.0, 1.0);
#endif
    return clamp(x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

vec3 srgb_encode(vec3 c) {
    return mix(12.92 * c, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

// A fixed per-pixel offset of under half an 8-bit step: breaks banding in smooth bokeh
// gradients and stays bit-identical from frame to frame.
float dither(ivec2 p) {
    uint h = uint(p.x) * 1664525u ^ uint(p.y) * 22695477u;
    h = (h ^ (h >> 13u)) * 1274126177u;
    return (float(h >> 8u) / 16777216.0 - 0.5) / 255.0;
}

float luminance(vec3 c) { return dot(c, vec3(0.2126, 0.7152, 0.0722)); }

vec3 display(ivec2 p) {
    return tone_curve(texelFetch(u_linear, p, 0).rgb * u_exposure);
}

void main() {
    ivec2 out_pixel = ivec2(gl_FragCoord.xy);
    ivec2 pixel = out_pixel + u_offset;
    vec3 color = display(pixel);
#if VIEW == 1
    {
        // Depth on a log scale from 0.25 m to 64 m (the HUD's legend must agree); the
        // zone of acceptable sharpness is tinted green, the focus distance a green line.
        float depth = texelFetch(u_depth, pixel, 0).r;
        float t = clamp(log2(depth / 0.25) / 8.0, 0.0, 1.0);
        color = vec3(1.0 - t);
        if (depth >= u_dof_zone.x && depth <= u_dof_zone.y)
            color = mix(color, vec3(0.35, 1.0, 0.4), 0.45);
        float focus_t = log2(u_focus_distance / 0.25) / 8.0;
        if (abs(t - focus_t) < 0.0015) color = vec3(0.1, 0.9, 0.2);
        color = pow(color, vec3(2.2));
    }
#elif VIEW == 2
    {
        // Signed CoC: near field orange, far field blue, brighter with more blur;
        // the in-focus band stays dark.
        float coc = coc_radius_at(inverse_depth_of(texelFetch(u_color_invd, pixel, 0))) / u_max_coc_radius;
        vec3 base = 0.15 * vec3(luminance(color));
        color = coc < 0.0 ? mix(base, vec3(1.0, 0.45, 0.05), sqrt(-coc))
                          : mix(base, vec3(0.1, 0.4, 1.0), sqrt(coc));
    }
#endif
#if FOCUS_PEAKING
    {
        // Mark sharp detail: strong local contrast where the CoC is under one pixel.
        float coc = abs(coc_radius_at(inverse_depth_of(texelFetch(u_color_invd, pixel, 0))));
        ivec2 size = textureSize(u_linear, 0) - 1;
        float l = luminance(color);
        float gx = luminance(display(min(pixel + ivec2(1, 0), size))) - luminance(display(max(pixel - ivec2(1, 0), ivec2(0))));
        float gy = luminance(display(min(pixel + ivec2(0, 1), size))) - luminance(display(max(pixel - ivec2(0, 1), ivec2(0))));
        if (coc < 1.0 && length(vec2(gx, gy)) > 0.12 + 0.2 * l) color = vec3(1.0, 0.1, 0.6);
    }
#endif
    out_color = vec4(srgb_encode(color) + dither(out_pixel), 1.0);
}
#endif
