<?php
/*
 * Loads the test site's WordPress from the command line: php SCRIPT ROOT [ARGS...].
 * ROOT is the site's document root (its own wp-config.php). No mail leaves the machine.
 */
if ( ! function_exists( 'wp_mail' ) ) {
	function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
		return true;
	}
}
$modtool_root = $argv[1];
$_SERVER['HTTP_HOST']   = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
if ( ! empty( $modtool_installing ) ) {
	define( 'WP_INSTALLING', true );
}
require $modtool_root . '/wp-load.php';
