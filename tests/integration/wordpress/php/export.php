<?php
/* php export.php ROOT: the site's WXR, written by WordPress's own export_wp(). */
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/export.php';
export_wp( array( 'content' => 'all' ) );
