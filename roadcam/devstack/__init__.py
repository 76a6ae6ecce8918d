"""The local stack behind `roadcam up`: real servers and every roadcam service as child processes."""
