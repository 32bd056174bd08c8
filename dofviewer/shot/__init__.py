"""The shot: lens and camera optics, focus pulls, timelines and their recording. Pure
math and data, no GL, so all of it tests in milliseconds."""
