import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { applyTheme, loadTheme } from './lib/theme.js';

// Before mounting, so the first paint already has the chosen theme.
applyTheme(loadTheme());

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
export default mount(App, { target });
