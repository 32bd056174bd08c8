#version 330 core
// The scene pass: lit albedo plus unlit emission, in linear HDR, and the object id.
// Units are linear radiance; tone mapping happens only after depth of field.

#if defined VERTEX_SHADER
layout(location = 0) in vec3 in_position;  // unit mesh
layout(location = 1) in vec3 in_normal;
uniform mat4 u_model;
uniform mat3 u_normal_matrix;
uniform mat4 u_view_projection;
uniform vec3 u_scale;                      // object size in metres, for the checker
out vec3 v_world_normal;
out vec3 v_local_position;
out vec3 v_local_normal;
void main() {
    v_world_normal = u_normal_matrix * in_normal;
    v_local_position = in_position * u_scale;
    v_local_normal = in_normal;
    gl_Position = u_view_projection * (u_model * vec4(in_position, 1.0));
}
#endif

#if defined FRAGMENT_SHADER
in vec3 v_world_normal;
in vec3 v_local_position;
in vec3 v_local_normal;
uniform vec3 u_color;
uniform vec3 u_emissive;
uniform bool u_checker;
uniform float u_checker_size;
uniform float u_checker_dark;
uniform uint u_object_id;
uniform vec3 u_to_light;       // unit vector towards the key light
uniform vec3 u_light_color;
uniform vec3 u_ambient;
uniform float u_texture_filter;  // box-filter width for the checker, in pixels
layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_object_id;
#if defined PEEL
// The second layer skips the object the first layer shows at this pixel (resolved ids
// at this pass's resolution), leaving the nearest surface behind it.
uniform usampler2D u_first_ids;
#endif

// Solid 3D checker, box-filtered over the pixel footprint so the receding floor does
// not alias into moire (the filtered square wave, multiplied per axis). Per axis the box
// is sqrt(dx^2 + dy^2) wide, the width with the same variance as the pixel's footprint
// (fwidth's |dx| + |dy| overstates it on slanted surfaces). The accumulation
// reference filters over a quarter pixel only: its jittered samples already integrate
// each pixel, and filtering over the whole pixel again would blur it more than a camera
// would; the quarter pixel keeps its noise down on a distant, fine checker.
float checker(vec3 p) {
    vec3 dx = dFdx(p), dy = dFdy(p);
    vec3 w = max(sqrt(dx * dx + dy * dy) * u_texture_filter, vec3(1e-4));
    vec3 i = 2.0 * (abs(fract((p - 0.5 * w) * 0.5) - 0.5)
                  - abs(fract((p + 0.5 * w) * 0.5) - 0.5)) / w;
    return 0.5 - 0.5 * i.x * i.y * i.z;   // 0 = light square, 1 = dark square
}

void main() {
#if defined PEEL
    if (texelFetch(u_first_ids, ivec2(gl_FragCoord.xy), 0).r == u_object_id) discard;
#endif
    vec3 albedo = u_color;
    if (u_checker) {
        // Nudge inwards so faces lying exactly on a square boundary pick one side.
        vec3 p = (v_local_position - v_local_normal * 1e-3) / u_checker_size;
        albedo *= mix(1.0, u_checker_dark, checker(p));
    }
    vec3 n = normalize(v_world_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 irradiance = u_ambient + u_light_color * max(dot(n, u_to_light), 0.0);
    out_color = vec4(albedo * irradiance + u_emissive, 1.0);
    out_object_id = u_object_id;
}
#endif
