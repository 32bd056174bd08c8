#version 330 core
// A photo instead of the scene pass (dofviewer/render/gl/photo_pass.py): its linear
// colour, its depth as a depth-buffer value and its depth layer's id, into the targets
// the scene pass writes, so the depth-of-field passes run unchanged. With SECOND_LAYER
// it writes the second layer instead: the hidden background synthesised behind near
// edges (dofviewer/content/photo.py), alpha 1 there, nothing (depth 1) elsewhere.
//
// The photo spans the frame's width, centred vertically; outside it (the guard band, a
// taller window) its edge pixels repeat.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_color;             // rgb linear
uniform sampler2D u_depth;             // r: metres, holes filled
uniform usampler2D u_ids;              // 1 + depth layer
uniform sampler2D u_background;        // rgb hidden background, a = 1 behind occluders
uniform sampler2D u_background_depth;  // r: metres
uniform int u_scale;                   // target pixels per frame pixel (supersampling)
uniform ivec2 u_margin;                // the guard band, frame pixels
uniform vec2 u_frame_size;             // frame pixels
uniform vec2 u_clip_planes;            // (near, far) metres, as the prepare pass reads them

#if SECOND_LAYER
layout(location = 0) out vec4 out_second;
#else
layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_object_id;
#endif

// The depth-buffer value the prepare pass's view_depth() turns back into metres.
float window_z(float depth) {
    float near = u_clip_planes.x, far = u_clip_planes.y;
    float z_ndc = (far + near - 2.0 * near * far / depth) / (far - near);
    return clamp(0.5 * z_ndc + 0.5, 0.0, 0.99999);
}

void main() {
    vec2 photo_size = vec2(textureSize(u_color, 0));
    vec2 frame = gl_FragCoord.xy / float(u_scale) - vec2(u_margin);   // frame pixels, y up
    float to_photo = photo_size.x / u_frame_size.x;
    vec2 p = vec2(frame.x, u_frame_size.y - frame.y - 0.5 * u_frame_size.y) * to_photo;
    p.y += 0.5 * photo_size.y;                                          // photo pixels, y down
    ivec2 texel = clamp(ivec2(floor(p)), ivec2(0), ivec2(photo_size) - 1);
#if SECOND_LAYER
    vec4 behind = texelFetch(u_background, texel, 0);
    if (behind.a < 0.5) {
        out_second = vec4(0.0);
        gl_FragDepth = 1.0;
        return;
    }
    out_second = vec4(behind.rgb, 1.0);
    gl_FragDepth = window_z(texelFetch(u_background_depth, texel, 0).r);
#else
    // Nearest, not bilinear: at the photo's own size every sample of a frame pixel reads
    // its own texel, so the photo comes back unchanged where it is in focus.
    out_color = vec4(texelFetch(u_color, texel, 0).rgb, 1.0);
    out_object_id = texelFetch(u_ids, texel, 0).r;
    gl_FragDepth = window_z(texelFetch(u_depth, texel, 0).r);
#endif
}
#endif
